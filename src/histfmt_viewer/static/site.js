// Small enhancements of the viewer's pages; every page works without them.
"use strict";

// Ask before a destructive form is sent.
document.querySelectorAll("form.confirm").forEach((form) => {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm || "Are you sure?")) event.preventDefault();
  });
});

// The plot's view controls apply as soon as a choice changes (the URL stays a permalink).
const view = document.getElementById("view");
if (view) {
  view.querySelectorAll("select, input[type=checkbox]").forEach((control) => {
    control.addEventListener("change", () => view.requestSubmit());
  });
}

// Drag and drop onto the upload form's drop zone.
const zone = document.getElementById("dropzone");
const input = document.getElementById("file");
const shown = document.getElementById("drop-name");
if (zone && input && shown) {
  const showName = () => {
    shown.textContent = input.files.length ? input.files[0].name : "";
    zone.classList.toggle("chosen", input.files.length > 0);
  };
  input.addEventListener("change", showName);
  ["dragenter", "dragover"].forEach((type) =>
    zone.addEventListener(type, (event) => {
      event.preventDefault();
      zone.classList.add("over");
    }),
  );
  ["dragleave", "drop"].forEach((type) =>
    zone.addEventListener(type, () => zone.classList.remove("over")),
  );
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      showName();
    }
  });
}

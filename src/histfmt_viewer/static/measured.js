// Numbers as the plot page's numbers table writes them: the chart's hover panel rounds a
// value to its uncertainties exactly as histfmt_viewer.numbers.measured does (the smallest
// uncertainty with two significant digits, the value and the other uncertainties to the
// same decimal place; scientific notation from 1e6 or below 1e-4), and a lone number as
// Python's "{:.6g}". Rounding is Python's: on the exact binary value, ties to even (so
// 0.125 to two places is 0.12), which Number.prototype.toFixed does not do. Exposed as
// window.hfNumbers = { measured, number, g }.
"use strict";

(() => {
  const MISSING = "\u2014";
  const MINUS = "\u2212";

  // The exact decimal digits of a finite x >= 0 as [integer part, fraction (100 digits)].
  function decimal(x) {
    if (x >= 1e21) return [BigInt(x).toString(), ""];
    const text = x.toFixed(100);
    const dot = text.indexOf(".");
    return [text.slice(0, dot), text.slice(dot + 1)];
  }

  // x rounded half to even at 10^-places (places < 0: tens, hundreds, ...): the sign and
  // the integer n with x ~ n * 10^-places.
  function rounded(x, places) {
    const negative = x < 0 || Object.is(x, -0);
    const [whole, fraction] = decimal(Math.abs(x));
    const all = whole + fraction;
    const keep = whole.length + places; // digits of `all` kept
    let kept = "0";
    let up = false;
    if (keep >= all.length) {
      kept = all + "0".repeat(keep - all.length);
    } else if (keep === 0) {
      up = all[0] > "5" || (all[0] === "5" && /[1-9]/.test(all.slice(1))); // kept digit 0 is even
    } else if (keep > 0) {
      kept = all.slice(0, keep);
      const next = all[keep];
      const rest = /[1-9]/.test(all.slice(keep + 1));
      up = next > "5" || (next === "5" && (rest || Number(kept[kept.length - 1]) % 2 === 1));
    }
    return { negative, n: BigInt(kept) + (up ? 1n : 0n) };
  }

  // Python's f"{round(x, places):.{max(0, places)}f}".
  function fixed(x, places) {
    const { negative, n } = rounded(x, places);
    let digits = n.toString();
    if (places > 0) {
      digits = digits.padStart(places + 1, "0");
      digits = `${digits.slice(0, -places)}.${digits.slice(-places)}`;
    } else if (places < 0 && n !== 0n) {
      digits += "0".repeat(-places);
    }
    return (negative ? "-" : "") + digits;
  }

  const exponent = (e) => (e < 0 ? "-" : "+") + String(Math.abs(e)).padStart(2, "0");

  // Python's format(x, f".{p}g") for a finite x.
  function g(x, p) {
    if (x === 0) return Object.is(x, -0) ? "-0" : "0";
    const [whole, fraction] = decimal(Math.abs(x));
    let e = whole !== "0" ? whole.length - 1 : -(fraction.search(/[1-9]/) + 1);
    if (whole === "0" && fraction.search(/[1-9]/) < 0) {
      // below 1e-100: too small for toFixed's digits, and no ties there
      const [mantissa, power] = Math.abs(x).toExponential(p - 1).split("e");
      e = Number(power);
      return `${x < 0 ? "-" : ""}${mantissa.replace(/\.?0+$/, "")}e${exponent(e)}`;
    }
    const { negative, n } = rounded(x, p - 1 - e);
    let digits = n.toString();
    if (digits.length > p) {
      e += 1; // 9.9996 to 5 digits is 10.000
      digits = digits.slice(0, p);
    }
    const sign = negative ? "-" : "";
    if (e >= -4 && e < p) {
      const places = p - 1 - e;
      let text = digits + "0".repeat(Math.max(0, -places));
      if (places > 0) {
        text = text.padStart(places + 1, "0");
        text = `${text.slice(0, -places)}.${text.slice(-places)}`.replace(/\.?0+$/, "");
      }
      return sign + text;
    }
    const mantissa = (digits[0] + "." + digits.slice(1)).replace(/\.?0+$/, "");
    return `${sign}${mantissa}e${exponent(e)}`;
  }

  // histfmt_viewer.numbers._number: six significant digits, a dash when not finite.
  const number = (x) => (Number.isFinite(x) ? g(x, 6) : MISSING);

  function spread(up, down, write) {
    if (!(up || down) || !(Number.isFinite(up) && Number.isFinite(down))) return "";
    if (write(up) === write(down)) return `±${write(up)}`;
    return `+${write(up)} ${MINUS}${write(down)}`;
  }

  // histfmt_viewer.numbers.measured(value, *errors): [value text, [each (up, down) as text]].
  function measured(value, ...errors) {
    const sizes = errors.flat().filter((e) => Number.isFinite(e) && e > 0);
    if (!sizes.length || !Number.isFinite(value)) {
      return [number(value), errors.map(([up, down]) => spread(up, down, (e) => g(e, 3)))];
    }
    const smallest = Math.min(...sizes);
    let last = Math.floor(Math.log10(smallest)) - 1;
    if (Number(fixed(smallest, -last)) >= Number(`1e${last + 2}`)) last += 1; // 0.0996 is 0.10
    const largest = Math.max(Math.abs(value), ...sizes);
    const write = (x) => {
      if (last >= -5 && largest < 1e6 && (largest >= 1e-4 || value === 0)) return fixed(x, -last);
      const { negative, n } = rounded(x, -last);
      if (n === 0n) return "0";
      const digits = n.toString();
      const e = digits.length - 1 + last;
      const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
      return `${negative ? "-" : ""}${mantissa}e${exponent(e)}`;
    };
    return [write(value), errors.map(([up, down]) => spread(up, down, write))];
  }

  window.hfNumbers = { measured, number, g };
})();

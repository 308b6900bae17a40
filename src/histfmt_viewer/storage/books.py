"""Many plots stored at once (the plots of an uploaded book), in one transaction."""

from __future__ import annotations

from collections.abc import Sequence

from histfmt_viewer.storage.collections import Collections, insert_collection
from histfmt_viewer.storage.plots import Plots, insert_plots
from histfmt_viewer.storage.rows import PlotInfo, User

__all__ = ["Books"]


class Books(Collections, Plots):
    """Plots stored together, with the collection that holds them."""

    def create_plots(
        self,
        owner: User,
        entries: Sequence[tuple[PlotInfo, str]],
        *,
        visibility: str = "public",
        collection_id: int | None = None,
        new_collection: tuple[str, str] | None = None,
    ) -> tuple[int | None, list[str]]:
        """Store each ``(info, document)`` as a new plot, all or none.

        The plots go into ``collection_id``, or into a new collection of ``owner``
        (``new_collection`` = title and description, with ``visibility``) made in the
        same transaction. Returns the collection's id and the plots' ids, in the order
        given; newest-first lists show them in that order.
        """
        with self.engine.begin() as conn:
            if new_collection is not None:
                title, description = new_collection
                collection_id = insert_collection(conn, owner, title, description, visibility)
            ids = insert_plots(
                conn, owner, entries, visibility=visibility, collection_id=collection_id
            )
        return collection_id, ids

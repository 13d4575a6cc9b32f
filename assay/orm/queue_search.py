"""A Queue's search, as its user reads it: the trials, their results, and their figures.

``Queue`` inherits these from ``QueueSearchResults``; for a Queue made without a search the
trials are ``[]`` and the figures say there is no search. The figures are drawn by the pure
functions of ``assay.search.plots``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assay.errors import InvalidArgument
from assay.orm.base import id_method

if TYPE_CHECKING:
    from assay.orm.search import QueueSearch, Trial


class QueueSearchResults:
    """The trials of a Queue's search and their plots (mixed into ``Queue``)."""

    if TYPE_CHECKING:  # provided by Queue
        id: int
        search: QueueSearch | None

    def trials(self) -> list[Trial]:
        """The trials of this Queue's search, by number; [] for a Queue without a search.

        Each has its ``parameters``, ``status`` (running, complete, failed), ``score``,
        ``metrics`` and, when it failed, a ``message``; ``trial.result()`` is 004's dict.
        """
        search = self.search
        return [] if search is None else search.trials

    @id_method
    def search_results(self) -> list[dict[str, Any]]:
        """What the search returns: a dict per trial (see ``assay.search.loop.run_search``)."""
        return [trial.result() for trial in self.trials()]

    @id_method
    def trials_df(self) -> Any:
        """The trials as a DataFrame: number, status, score, then a column per parameter."""
        from assay.search.plots import trials_frame

        return trials_frame(self.trials())

    @id_method
    def plot_search_history(self, call_display: bool = True) -> Any:
        """Each trial's score by trial number, and the best so far.

        Args:
            call_display: Show the figure and return None; False returns the Plotly figure.

        Raises:
            InvalidArgument: No search, or no trial scored yet.
        """
        from assay.evaluate.plots import show_or_return
        from assay.search.plots import history_figure

        search = self._search()
        figure = history_figure(search.trials, search.goal, search.metric)
        return show_or_return(figure, call_display)

    @id_method
    def plot_search_parallel(self, call_display: bool = True) -> Any:
        """Parallel coordinates: an axis per parameter and the score, a line per trial.

        Args:
            call_display: Show the figure and return None; False returns the Plotly figure.

        Raises:
            InvalidArgument: No search, or no trial scored yet.
        """
        from assay.evaluate.plots import show_or_return
        from assay.search.plots import parallel_figure

        search = self._search()
        figure = parallel_figure(search.trials, search.parameters, search.metric)
        return show_or_return(figure, call_display)

    @id_method
    def search_importance(self) -> dict[str, float]:
        """Each parameter's share of the score's variance (fANOVA), largest first.

        Raises:
            InvalidArgument: No search, or fewer than 2 trials scored.
        """
        from assay.search.plots import parameter_importance

        search = self._search()
        return parameter_importance(search.trials, search.parameters, search.goal)

    @id_method
    def plot_search_importance(self, call_display: bool = True) -> Any:
        """A bar per parameter: its fANOVA importance (see ``search_importance``).

        Args:
            call_display: Show the figure and return None; False returns the Plotly figure.

        Raises:
            InvalidArgument: No search, or fewer than 2 trials scored.
        """
        from assay.evaluate.plots import show_or_return
        from assay.search.plots import importance_figure

        return show_or_return(importance_figure(self.search_importance()), call_display)

    def _search(self) -> QueueSearch:
        """This Queue's search, or an error saying it has none."""
        search = self.search
        if search is None:
            raise InvalidArgument(
                f"Queue {self.id} was made without a search; Queue.from_algorithm(..., "
                "search=Search(...)) makes one."
            )
        return search

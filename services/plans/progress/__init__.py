"""A plan's visit clock: the visits scheduling reports, and the progress reports that restart
the count."""

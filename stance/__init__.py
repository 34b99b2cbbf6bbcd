"""stance: who said what in a batch of news articles, and do the claims agree or contradict."""
__version__ = "0.1.0"

"""Evaluation runs: an NLI model on labelled pairs, statement extraction against a gold file.

    from stance.evaluation.pairs import evaluate_dataset        # accuracy, macro-F1, ECE, ...
    from stance.evaluation.extraction import evaluate_extraction  # quote spans and speakers

`stance eval pairs` and `stance eval extraction` (stance/eval_cli.py) are thin layers over
these; plots.py draws the PNGs and report.py writes report.md.
"""

"""Benchmark of the incremental store: build a store cold, then add one article.

    ./run python eval/bench_store.py [--articles 1000] [--model tiny|default|DIR] [--encoder e5|hashed]

The corpus is the five seeds plus synthetic French articles: each quotes three or four
people (direct quotes and reported speech, as news does) from a pool of invented names,
with premises of the French NLI sets in ../shared/data/nli as the claims. A quarter as
many speakers as articles keeps about a dozen statements per speaker at any size, so
same-actor pairs grow linearly with the corpus, as in a real news stream.

Prints the cold time (empty store, all articles), the incremental time (one new article),
their ratio, stage timings of both, and how many NLI inputs each scored.

--model tiny (default) is tests/tiny_model.py's random 2-layer classifier: the real model
(stance-nli-small-v4) scores ~30 inputs/s on a shared CPU, so a cold run of 1,000 articles
with it would take hours, and only make the ratio larger.
--encoder hashed stands in a hashed bag of words for e5 topic vectors: e5 embeds ~10-30
texts/s on a shared CPU (2 texts per statement), far too slow to build 1,000 articles in
minutes. Both stand-ins make the cold run faster and barely touch the incremental one, so
the ratio printed is a lower bound of the real one.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from stance import pairs  # noqa: E402
from stance.nli import NLIModel  # noqa: E402
from stance.pipeline import CheckOptions, check  # noqa: E402
from stance.store import Store  # noqa: E402

NLI_DATA = ROOT.parent / "shared" / "data" / "nli"
FIRST_NAMES = ["Camille", "Julien", "Sophie", "Marc", "Claire", "Thomas", "Élise", "Nicolas", "Léa",
               "Pierre", "Amélie", "Hugo", "Nathalie", "Olivier", "Isabelle", "Antoine", "Manon",
               "François", "Chloé", "Laurent", "Aurélie", "Mathieu", "Hélène", "Vincent"]
SURNAMES = ["Durand", "Lefèvre", "Moreau", "Girard", "Fontaine", "Chevalier", "Robin", "Gauthier",
            "Morel", "Perrin", "Mercier", "Blanchard", "Guerin", "Boyer", "Garnier", "Rousseau",
            "Lemaire", "Renaud", "Faure", "Marchand", "Dumont", "Brunet", "Roche", "Collet",
            "Barbier", "Carpentier", "Vidal", "Lacroix", "Masson", "Aubert", "Picard", "Leclerc"]
ROLES = ["ministre de l'économie", "porte-parole du gouvernement", "élu de la Gironde",
         "maire de Lyon", "à la tête de la région", "responsable syndical", "membre de l'agence",
         "élu du Nord", "commissaire européen", "en poste à Berlin"]
DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


def premises(limit: int = 6000) -> list[str]:
    found: list[str] = []
    for path in sorted(NLI_DATA.glob("*-fr/*.tsv")):
        with path.open(encoding="utf-8") as stream:
            for row in csv.DictReader(stream, delimiter="\t", quoting=csv.QUOTE_NONE):
                text = (row.get("premise") or "").strip()
                if 40 <= len(text) <= 220 and "«" not in text and "»" not in text and '"' not in text:
                    found.append(text if text.endswith((".", "!", "?")) else text + ".")
    unique = sorted(set(found))
    random.Random(7).shuffle(unique)
    return unique[:limit]


def synthetic_article(index: int, speakers: list[tuple[str, str]], claims: list[str]) -> str:
    rng = random.Random(index)
    day = DAYS[index % 7]
    people = rng.sample(speakers, 3)
    lines = [f"Dépêche n° {index} : le point sur le dossier de la semaine", ""]
    for n in range(rng.choice((3, 4))):
        name, role = people[n % 3]
        claim = claims[rng.randrange(len(claims))]
        surname = name.split()[-1]
        form = rng.randrange(3)
        if form == 0:
            lines.append(f"« {claim} », a déclaré {name}, {role}, {day}.")
        elif form == 1:
            lowered = claim[0].lower() + claim[1:].rstrip(".!?")
            lines.append(f"{name}, {role}, a affirmé {day} que {lowered}.")
        else:
            lines.append(f"Interrogé sur ce point, M. {surname} a répondu : « {claim} »"
                         if n % 2 else f"« {claim} », a ajouté {name}.")
        lines.append("")
    return "\n".join(lines)


def write_corpus(folder: Path, count: int) -> tuple[list[Path], Path]:
    """`count` articles (the seeds first) and one more, kept apart as the new article."""
    claims = premises()
    names = sorted({f"{f} {s}" for f in FIRST_NAMES for s in SURNAMES})
    rng = random.Random(11)
    speakers = [(name, rng.choice(ROLES)) for name in rng.sample(names, max(12, count // 4))]
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for seed in sorted((ROOT / "seeds").glob("*.txt"))[:count]:
        written.append(Path(shutil.copy(seed, folder)))
    for index in range(len(written), count + 1):
        day = 1 + index % 28
        path = folder / f"synth_{index:05d}.txt"
        path.write_text(f"2025-{1 + index // 28 % 12:02d}-{day:02d}\n"
                        + synthetic_article(index, speakers, claims), encoding="utf-8")
        written.append(path)
    return written[:-1], written[-1]


_WORD = re.compile(r"\w+")


def hashed_embed(texts, batch_size: int = 64) -> np.ndarray:
    """Hashed bag of words, L2-normalised: a fast, deterministic stand-in for e5."""
    vectors = np.zeros((len(texts), 384), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in _WORD.findall(text.lower()):
            vectors[row, int(hashlib.md5(word.encode()).hexdigest()[:6], 16) % 384] += 1.0
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


class Counting:
    def __init__(self, model):
        self.model, self.info, self.inputs = model, model.info, 0

    @property
    def fingerprint(self):
        return self.model.fingerprint

    def predict(self, inputs, batch_size=32, advance=None):
        self.inputs += len(inputs)
        return self.model.predict(inputs, batch_size=batch_size, advance=advance)


def timed_run(paths, store_path: Path, model, options: CheckOptions):
    counter = Counting(model)
    started = time.perf_counter()
    with Store.open(store_path) as store:
        report = check(paths, options, nli_model=counter, store=store)
    return time.perf_counter() - started, report, counter.inputs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--model", default="tiny", help="tiny, default (the embedded model) or a directory")
    parser.add_argument("--encoder", choices=("e5", "hashed"), default="hashed")
    parser.add_argument("--keep", type=Path, help="keep the corpus and the store in this folder")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads (1: on a shared CPU, more threads only wait on each other)")
    args = parser.parse_args()
    import torch
    torch.set_num_threads(args.threads)

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-store-"))
    if args.model == "tiny":
        from tiny_model import build_tiny_model
        model = NLIModel.load(str(build_tiny_model(work / "tiny-model")))
    else:
        model = NLIModel.load(None if args.model == "default" else args.model)
    if args.encoder == "hashed":
        pairs.embed = hashed_embed
    corpus, extra = write_corpus(work / "corpus", args.articles)
    store_path = work / "stance.db"
    store_path.unlink(missing_ok=True)
    options = CheckOptions(batch_size=32)
    check([corpus[0]], options, nli_model=model)   # loads spaCy (and e5) outside the timings

    cold_s, cold, cold_inputs = timed_run(corpus, store_path, model, options)
    incremental_s, incremental, incremental_inputs = timed_run([extra], store_path, model, options)

    new_pairs = sum(1 for j in incremental.judgements
                    if {j.pair.a.id, j.pair.b.id} & (incremental.new_statements or frozenset()))
    print(f"model {model.name if args.model != 'tiny' else 'tiny (tests/tiny_model.py)'}, "
          f"encoder {args.encoder}, store {store_path} ({store_path.stat().st_size / 1e6:.1f} MB)")
    print(f"corpus: {len(incremental.articles)} articles, {len(incremental.statements)} statements, "
          f"{len(incremental.actors)} actors, {len(incremental.judgements)} pairs")
    print(f"cold:        {cold_s:7.1f} s  ({len(cold.articles)} articles, {cold_inputs} NLI inputs scored)")
    print(f"incremental: {incremental_s:7.1f} s  (1 article, {len(incremental.new_statements or ())} new "
          f"statements, {new_pairs} new pairs, {incremental_inputs} NLI inputs scored)")
    print(f"ratio:       {cold_s / incremental_s:7.1f}x")
    for name, report in (("cold", cold), ("incremental", incremental)):
        print(f"  {name} stages: " + ", ".join(f"{stage} {sec:.2f}s" for stage, sec in report.timings.items()))


if __name__ == "__main__":
    main()

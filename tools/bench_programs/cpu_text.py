"""cpu_text.py — strings, dicts and the re module: tokenise a generated text,
count words and bigrams, format a report (bench suite cpu)."""
import re
import sys

WORDS = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi "
         "omicron pi rho sigma tau upsilon phi chi psi omega").split()


def text(n):
    out, x = [], 12345
    for i in range(n):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        w = WORDS[x % len(WORDS)]
        out.append(w.capitalize() + "." if x % 11 == 0 else w + ("," if x % 7 == 0 else ""))
    return " ".join(out)


def main(n):
    t = text(n)
    counts, bigrams = {}, {}
    prev = None
    for m in re.finditer(r"[A-Za-z]+", t):
        w = m.group(0).lower()
        counts[w] = counts.get(w, 0) + 1
        if prev is not None:
            k = prev + " " + w
            bigrams[k] = bigrams.get(k, 0) + 1
        prev = w
    top = sorted(bigrams.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    lines = ["%-8s %6d" % (w, c) for w, c in sorted(counts.items())]
    print(len(t), len(lines), top[0], sum(len(s) for s in lines))


main(int(sys.argv[1]) if len(sys.argv) > 1 else 400000)

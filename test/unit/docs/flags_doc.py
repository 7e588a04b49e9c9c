#!/usr/bin/env python3
"""docs/flags.md cannot drift from the daemons: its generated part must equal what
`ironlb-controller --help-markdown` and `ironlb-speaker --help-markdown` print (the common
section once, then each daemon's own). With --update, rewrite that part instead.

usage: flags_doc.py [--update] CONTROLLER SPEAKER DOC
"""
import subprocess
import sys

BEGIN = "<!-- BEGIN generated: ironlb-controller/ironlb-speaker --help-markdown -->\n"
END = "<!-- END generated -->\n"


def split_own(markdown, own_heading):
    """(common part, own part) of one daemon's --help-markdown."""
    at = markdown.find("\n" + own_heading + "\n")
    if at < 0:
        sys.exit("no %r section in:\n%s" % (own_heading, markdown))
    return markdown[: at + 1], markdown[at + 1 :]


def main(argv):
    update = "--update" in argv
    controller, speaker, doc = [a for a in argv if a != "--update"]
    ctl = subprocess.run([controller, "--help-markdown"], check=True, capture_output=True, text=True).stdout
    spk = subprocess.run([speaker, "--help-markdown"], check=True, capture_output=True, text=True).stdout
    ctl_common, ctl_own = split_own(ctl, "## ironlb-controller only")
    spk_common, spk_own = split_own(spk, "## ironlb-speaker only")
    if ctl_common != spk_common:
        sys.exit("the daemons describe the common flags differently:\n%s\n---\n%s" % (ctl_common, spk_common))
    generated = ctl_common + ctl_own + "\n" + spk_own
    text = open(doc).read()
    if BEGIN not in text or END not in text:
        sys.exit("%s: no %r ... %r markers" % (doc, BEGIN.strip(), END.strip()))
    head, rest = text.split(BEGIN, 1)
    current, tail = rest.split(END, 1)
    if current == generated:
        print("%s matches the daemons' --help-markdown" % doc)
        return 0
    if update:
        open(doc, "w").write(head + BEGIN + generated + END + tail)
        print("updated %s" % doc)
        return 0
    import difflib
    sys.stdout.writelines(difflib.unified_diff(current.splitlines(True), generated.splitlines(True),
                                               doc, "--help-markdown"))
    print("%s differs from the daemons' flags; regenerate with:\n  %s --update %s %s %s"
          % (doc, sys.argv[0], controller, speaker, doc))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

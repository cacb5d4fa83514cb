#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The man page and the bash completion the build made, against `vmdive help`.

  docs_check.py VMDIVE MAN_PAGE BASH_COMPLETION

`vmdive help` and `vmdive help CMD` print the command table as a user reads
it; every command and every option they list must be in the man page
(a .SS section per command, its options in it, the common ones under
OPTIONS), and the completion must offer them: the commands for the first
word, each command's options and the common ones after `vmdive CMD -`,
files after an option whose value is a FILE, directories after a DIR.
groff must format the page without a warning.
"""
import os
import re
import subprocess
import sys
import tempfile

VMDIVE, MAN, COMPLETION = (os.path.abspath(a) for a in sys.argv[1:4])
bad = []
nchecks = 0


def check(ok, what):
    global nchecks
    nchecks += 1
    if not ok:
        bad.append(what)


def help_text(*args):
    return subprocess.run([VMDIVE, "help", *args], check=True, capture_output=True,
                          text=True).stdout


def section(text, title):
    """The lines under 'title:' up to a blank line."""
    m = re.search(r"^" + re.escape(title) + r":\n(.*?)(?:\n\n|\Z)", text, re.M | re.S)
    return m.group(1).split("\n") if m else []


def options(lines):
    """[(names, value)] from "  -o, --output FILE    help" lines."""
    out = []
    for l in lines:
        m = re.match(r"  (-\S.*?)(?:  |$)", l)
        if m:
            toks = m.group(1).replace(",", " ").split()
            names = [t for t in toks if t.startswith("-")]
            value = next((t for t in toks if not t.startswith("-")), None)
            out.append((names, value))
    return out


def roff(name):
    return name.replace("-", "\\-")


def complete(*words):
    """What the completion offers for the words (the last one being typed)."""
    script = 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); ' \
             '_vmdive; printf "%s\\n" "${COMPREPLY[@]}"'
    r = subprocess.run(["bash", "-c", script, "bash", COMPLETION, "vmdive", *words],
                       capture_output=True, text=True, cwd=tmp)
    check(r.returncode == 0 and not r.stderr, "completion of %s: %s" % (words, r.stderr))
    return set(filter(None, r.stdout.split("\n")))


tmp = tempfile.mkdtemp()
os.mkdir(os.path.join(tmp, "somedir"))
open(os.path.join(tmp, "somefile"), "w").close()

man = open(MAN).read()
g = subprocess.run(["groff", "-man", "-ww", "-z", MAN], capture_output=True, text=True)
check(g.returncode == 0 and not g.stderr, "groff warns: " + g.stderr[:500])

usage = help_text()
commands = [l.split()[0] for l in section(usage, "Commands") if l.strip()]
check(len(commands) >= 10, "vmdive help lists %d commands" % len(commands))
common = options(section(usage, "Options for every command"))
check(len(common) >= 5, "vmdive help lists %d common options" % len(common))
check(complete("") >= set(commands), "first word: not every command offered")
opts_section = man.split("\n.SH OPTIONS\n")[1].split("\n.SH ")[0] if "\n.SH OPTIONS\n" in man else ""
for names, value in common:
    for n in names:
        check("\\fB" + roff(n) + "\\fR" in opts_section, "man OPTIONS: no %s" % n)

sections = dict(re.findall(r"^\.SS (\S+)\n(.*?)(?=^\.SS |^\.SH )", man, re.M | re.S))
for cmd in commands:
    name = cmd.replace("\\-", "-")
    text = sections.get(roff(cmd))
    check(text is not None, "man: no section for %s" % cmd)
    own = options(section(help_text(cmd), "Options"))
    offered = complete(cmd, "-")
    for names, value in own + common:
        for n in names:
            check(n in offered, "completion of '%s -': no %s" % (cmd, n))
    for names, value in own:
        for n in names:
            check(text is not None and "\\fB" + roff(n) + "\\fR" in text,
                  "man section %s: no %s" % (cmd, n))
        if value in ("FILE", "DIR"):
            got = complete(cmd, names[-1], "some")
            want = {"somedir"} if value == "DIR" else {"somefile", "somedir"}
            check(got == want, "completion after '%s %s': %s, want %s"
                  % (cmd, names[-1], sorted(got), sorted(want)))
for names, value in common:
    if value in ("FILE", "DIR"):
        got = complete(names[-1], "some")
        want = {"somedir"} if value == "DIR" else {"somefile", "somedir"}
        check(got == want, "completion after '%s': %s, want %s" % (names[-1], sorted(got), sorted(want)))
check(complete("help", "vm") == {c for c in commands if c.startswith("vm")},
      "completion of 'help vm'")

for b in bad[:40]:
    print("FAIL:", b)
print("%d commands, %d common options: %d checks, %d failed"
      % (len(commands), len(common), nchecks, len(bad)))
sys.exit(1 if bad else 0)

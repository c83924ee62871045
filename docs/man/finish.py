#!/usr/bin/env python3
"""Finishes the mdoc pages swift-argument-parser generates (`make man`).

argument-parser writes one page per command, named csp-tx.submit.1, with NAME, SYNOPSIS,
DESCRIPTION (the help's discussion), OPTIONS and a placeholder EXIT STATUS. This adds what
a man page needs and the commands cannot say in --help, in mdoc's order:

  - git-style names: csp-tx-submit.1 (NAME csp-tx-submit), the old csp-tx.submit.1 kept as
    a symbolic link to it;
  - ENVIRONMENT for the variables the command's options read (CSP_HOME, CSP_SOCKET,
    CSP_CHANNEL, CSP_FORMAT), FILES for the home's files the command uses;
  - a real EXIT STATUS (0, 1, 2, 64, and 75 for the commands whose help says they exit 75:
    those that submit a transaction and wait for it) instead of `.Ex -std`;
  - EXAMPLES from docs/man/examples.txt (`## page-name`, then command lines, each followed
    by indented lines saying what it does);
  - SEE ALSO in the git-style names; blank lines become `.Pp` (mdoc warns on them).

Usage: finish.py GENERATED_DIR... OUT_DIR
"""
import os
import re
import sys

EXIT_STATUS = [
    ("0", "Yes, or done."),
    ("1", "The answer is no: a mismatch, nothing found, a transaction invalid or refused."),
    ("2", "Could not answer: an I/O error, malformed input, no node at the socket."),
    ("64", "Usage error: an unknown option or subcommand, a missing or invalid argument."),
]
# A command that submits and waits says so in its help ("75 when ...", "exit 75").
OUTCOME_UNKNOWN = ("75", "Outcome unknown: the transaction was sent but no answer came within --timeout; "
                   "it may still commit. Look its txid (on stderr) up with csp-tx tx before running the "
                   "command again; with the same --once key a rerun is safe.")
SAYS_EXIT_75 = re.compile(r"\b75 when\b|\bexit 75\b")
EXIT_LINE = re.compile(r"^Exit status: 0 yes/done;.*$")

ENVIRONMENT = [
    ("-home", "CSP_HOME", "The home folder when --home is not given (default ~/.csp)."),
    ("-socket", "CSP_SOCKET", "The node's socket when --socket is not given; overrides the home's config file."),
    ("-channel", "CSP_CHANNEL", "The channel when --channel is not given; overrides the home's config file."),
    ("-format", "CSP_FORMAT", "The output format (json or text) when --format is not given; overrides the home's config file."),
]

FILES = {
    "csp-node": [
        ("<home>/config", "Defaults: socket, channel, format (key = value lines)."),
        ("<home>/key.pem, <home>/cert.pem", "The node's identity (role node)."),
        ("<home>/channels/NAME/", "One channel: blocks/ (the block files) and index/ (LevelDB)."),
        ("<home>/node.sock", "The client socket while the node runs."),
    ],
    "csp-tx": [
        ("<home>/config", "Defaults: socket, channel, format (key = value lines)."),
        ("<home>/key.pem, <home>/cert.pem", "The identity that signs transactions and reads."),
    ],
    "csp-ca": [
        ("<home>/config", "Defaults: format (key = value lines)."),
        ("<home>/ca.json, <home>/ca-key.pem", "The CA's configuration and private key (0600)."),
        ("<home>/ca-cert.pem, <home>/ca-chain.pem, <home>/crl.pem", "Its certificate, chain to the root, newest CRL."),
        ("<home>/registry.db", "Identities, certificates, revocations, audit log (SQLite)."),
    ],
}


def quoted(text):
    return '"' + text.replace('"', '\\(dq') + '"'


def read_examples(path):
    examples, page, current = {}, None, None
    if not os.path.exists(path):
        return examples
    with open(path, encoding="utf-8") as handle:
        for line in handle.read().splitlines():
            if line.startswith("## "):
                page = line[3:].strip()
                examples[page] = []
            elif page is None or not line.strip() or line.startswith("#"):
                continue
            elif line.startswith("  "):
                examples[page][-1][1].append(line.strip())
            else:
                examples[page].append((line, []))
    return examples


def escape_text(line):
    # A line starting with . or ' would be a request; \& keeps it text.
    line = line.replace("\\", "\\e")
    return "\\&" + line if line[:1] in (".", "'") else line


def finish(source, name, examples):
    parts = name.split("-")
    tool = "-".join(parts[:2])
    command = None
    head, sections = [], []  # the lines before the first .Sh; then (title, lines) per section
    for line in source.splitlines():
        if line.startswith(".Sh "):
            sections.append((line[4:].strip().strip('"'), []))
            continue
        target = sections[-1][1] if sections else head
        if line.startswith(".Dt "):
            line = ".Dt " + name.upper() + " 1"
        elif line.startswith(".Nm ") and command is None:
            command = line[4:].strip().strip('"')
            line = ".Nm " + name
        elif line == ".Nm" and sections and sections[-1][0] == "SYNOPSIS":
            line = ".Nm " + quoted(command)
        elif EXIT_LINE.match(line):
            continue
        elif line.startswith(".Xr "):
            words = line.split()
            words[1] = words[1].replace(".", "-")
            line = " ".join(words)
        elif line == "":
            line = ".Pp"
        target.append(line)
    text = source
    body = []
    see_also = None
    for title, lines in sections:
        if title == "EXIT STATUS":
            continue
        if title == "SEE ALSO":
            see_also = lines
            continue
        body += [".Sh " + (quoted(title) if " " in title else title)] + lines
    body += extra_sections(name, tool, text, examples)
    if see_also is not None:
        body += [".Sh SEE ALSO"] + see_also
    # No .Pp next to a section, a list item or at the end, nor twice (mdoc warns).
    cleaned = []
    for line in head + body:
        if line == ".Pp" and (not cleaned or cleaned[-1] == ".Pp" or cleaned[-1].startswith((".Sh", ".Bl", ".It"))):
            continue
        if line.startswith((".Sh", ".Bl", ".El", ".It")) and cleaned and cleaned[-1] == ".Pp":
            cleaned.pop()
        cleaned.append(line)
    while cleaned and cleaned[-1] == ".Pp":
        cleaned.pop()
    return "\n".join(cleaned) + "\n"


def extra_sections(name, tool, text, examples):
    out = []
    environment = [(var, what) for flag, var, what in ENVIRONMENT if ".Op Fl " + flag + " " in text or ".Op Fl " + flag + "\n" in text]
    if environment:
        out += [".Sh ENVIRONMENT", ".Bl -tag -width Ds"]
        for var, what in environment:
            out += [".It Ev " + var, what]
        out.append(".El")
    if ".Op Fl -home" in text and tool in FILES:
        out += [".Sh FILES", ".Bl -tag -width Ds"]
        for path, what in FILES[tool]:
            out += [".It Pa " + quoted(path), what]
        out.append(".El")
    out += [".Sh EXIT STATUS", ".Bl -tag -width Ds"]
    for code, what in EXIT_STATUS + ([OUTCOME_UNKNOWN] if SAYS_EXIT_75.search(text) else []):
        out += [".It " + code, what]
    out.append(".El")
    if examples.get(name):
        out += [".Sh EXAMPLES"]
        for index, (command, explanation) in enumerate(examples[name]):
            if index > 0:
                out.append(".Pp")
            if explanation:
                out.append(escape_text(" ".join(explanation)))
            out += [".Bd -literal -offset indent", escape_text(command), ".Ed"]
    return out


def main():
    *sources, target = sys.argv[1:]
    here = os.path.dirname(os.path.abspath(__file__))
    examples = read_examples(os.path.join(here, "examples.txt"))
    os.makedirs(target, exist_ok=True)
    pages = 0
    for directory in sources:
        for file in sorted(os.listdir(directory)):
            if not file.endswith(".1"):
                continue
            old = file[:-2]
            name = old.replace(".", "-")
            with open(os.path.join(directory, file), encoding="utf-8") as handle:
                page = finish(handle.read(), name, examples)
            with open(os.path.join(target, name + ".1"), "w", encoding="utf-8") as handle:
                handle.write(page)
            pages += 1
            if old != name:
                link = os.path.join(target, old + ".1")
                if os.path.lexists(link):
                    os.remove(link)
                os.symlink(name + ".1", link)
    unknown = set(examples) - {f[:-2] for f in os.listdir(target)}
    if unknown:
        sys.exit("error: docs/man/examples.txt names no page: " + ", ".join(sorted(unknown)))
    print("man: %d pages, with links under their old names, in %s" % (pages, target))


if __name__ == "__main__":
    main()

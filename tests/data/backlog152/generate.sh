#!/usr/bin/env bash
# Regenerates this corpus with the real Backlog.md 1.52 CLI:
#   bash tests/data/backlog152/generate.sh /path/to/backlog-binary
# tasks/*.md are files Backlog.md wrote; expected/*.json is its own `task view --json`
# of each (paths and timestamps as of generation), used to check flowops reads the same fields.
set -euo pipefail
BACKLOG=${1:?path to the backlog binary}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
git init -q .
"$BACKLOG" init corpus --defaults --integration-mode none </dev/null >/dev/null 2>&1
"$BACKLOG" config set remoteOperations false </dev/null >/dev/null
"$BACKLOG" config set checkActiveBranches false </dev/null >/dev/null
b() { "$BACKLOG" "$@" </dev/null >/dev/null; }
b task create "Add OAuth login (v2): users/admins!" -d $'First line\nSecond line' --ac "Login succeeds" --ac "Token refresh works" -a @sara -a bob -l auth,backend --priority high
b task create "Plain one"
b task create -p TASK-1 "Sub task" --dod "Tests pass" --dep task-2 --ref docs/x.md --doc https://x.y --modified-file src/a.py --type bug --ordinal 5 --due-date 2026-12-01
b task edit 1 --check-ac 1 --notes "some notes" --plan $'1. a\n2. b' --comment "A comment" --comment-author @sara --final-summary "sum" -s "In Progress"
b task edit 1 --comment $'Second comment\n\nwith two paragraphs' --comment-author @bob
while IFS= read -r title; do b task create "$title"; done <<'TITLES'
123
true
yes
null
2026-01-01
A title with 'single' quotes
A title with "double" quotes
#hashtag start
@mention start
key: value inside
trailing colon:
ünïcödé title ✓
Tab	inside
A very long title that goes on and on and on beyond the eighty character width of yaml dumpers ok
[bracket] start
{brace} start
*star start
&amp start
!bang start
%percent start
`backtick start
|pipe start
>gt start
~
Title with # hash inside
0x1F
1e3
.5
on
No
a,b
a:b
a#b
it's
TITLES
b task create $'multi\nline'
every=$("$BACKLOG" task create "Everything" -d $'# Heading inside\n\n```\n## Not a section\n```\n\nEnd.' --ac "one" --ac "two" --ac "three" --dod "dod one" -l "x,y z" -a @a,@b --priority low --notes "n" --plan "p" </dev/null | sed -n 's/^Created task //p')
b task edit "$every" --check-ac 2 --remove-ac 1 --check-dod 1 --append-notes "more notes" -s Done
b task create "Draft thing" --draft
# Plain scalars where js-yaml 3 (YAML 1.1 ints and floats, UTF-16 code units) and other
# YAML readers part ways: which ones Backlog.md quotes, and how it escapes characters past U+FFFF.
while IFS= read -r title; do b task create "$title"; done <<'TITLES'
0_
1_
+1_
0_0_
01.5
1.5_
0b1_
0x_
1_000
1:20
0:30
1:20.5
00
08
0o17
._1
TITLES
b task create "Ship it 😀" -l "launch 🚀" -a "@zoë"
mkdir -p "$HERE/tasks" "$HERE/expected"
rm -f "$HERE"/tasks/*.md "$HERE"/expected/*.json
cp backlog/tasks/*.md backlog/drafts/*.md "$HERE/tasks/"
for f in backlog/tasks/*.md; do
  id=$(sed -n 's/^id: //p' "$f" | head -1)
  "$BACKLOG" task view "$id" --json </dev/null > "$HERE/expected/$id.json"
done
cp backlog/config.yml "$HERE/config.yml"

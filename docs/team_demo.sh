#!/usr/bin/env bash
# README's "Working as a team", run for real: a bare remote, two reps' clones and the
# manager's; funnelctl commits, git merges two changes of one deal by meaning, and
# the manager reads the review since last week's tag, a deal's history and the audit.
# Usage: bash docs/team_demo.sh [FOLDER]   (default: a new temporary folder)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d)}"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1 COLUMNS=100
who() { export GIT_AUTHOR_NAME="$1" GIT_AUTHOR_EMAIL="$2" GIT_COMMITTER_NAME="$1" \
    GIT_COMMITTER_EMAIL="$2"; }
on() { export FUNNELCTL_TODAY="$1" GIT_AUTHOR_DATE="$1T10:00:00" GIT_COMMITTER_DATE="$1T10:00:00"; }
show() { echo "\$ $*"; "$@" || echo "(exit $?)"; }
cd "$work"
git init -q --bare -b main remote.git
# Monday: the manager commits the pipeline and tags the week's review
who "Mia Chen" mia.chen@acme-sales.example; on 2026-11-24
git clone -q remote.git manager 2>/dev/null; cd manager
cp "$here/stages.yaml" . && cp -r "$here/deals" .
printf '.funnelctl-cache/\n.*.tmp\n' > .gitignore
funnelctl git-setup >/dev/null
git add -A && git commit -qm "the pipeline" && git push -q origin main
funnelctl review --tag >/dev/null && git push -q origin review/2026-11-24
cd .. && for rep in li anna; do git clone -q remote.git $rep 2>/dev/null; (cd $rep && funnelctl git-setup >/dev/null); done
# Tuesday: two reps change the same deal
cd li; who "Li Wei" li.wei@acme-sales.example; on 2026-11-25
show funnelctl act alpine-fleet -k visit -g "walk the CFO through the offer" -r "the CFO accepts the payback" --score power=4 -e "the CFO accepts our solution" --commit
git push -q origin main; cd ..
cd anna; who "Anna Berg" anna.berg@acme-sales.example; on 2026-11-25
show funnelctl act alpine-fleet -k call -g "book the site visit" -r "booked for 2 Dec" --commit
show funnelctl lose tatra-port-2 --reason competitor --competitor Kone --commit
show git pull -q --no-rebase origin main
git push -q origin main
show funnelctl validate
cd ..
# Wednesday: a rep forces his own deal through a gate; the manager reviews the week
cd li; who "Li Wei" li.wei@acme-sales.example; on 2026-11-26
git pull -q --no-rebase origin main
funnelctl advance fjord-water --to negotiation --force --reason "the customer is in a hurry" --commit >/dev/null
git push -q origin main; cd ..
cd manager; who "Mia Chen" mia.chen@acme-sales.example; on 2026-11-26
git pull -q --no-rebase origin main
show funnelctl review --since-ref review/2026-11-24 --owner li.wei
show funnelctl history alpine-fleet
show funnelctl audit review/2026-11-24..HEAD

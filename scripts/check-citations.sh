#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# make check: every citation in the tree points into the tree.  Fails on a
# mention of a document that is not here (design.md, ../shared/..., an
# issue number, a doc/NAME.md the tree lacks) and on a
# "doc/abi.md §N" whose section doc/abi.md lacks.
# Prints PASS:/FAIL: lines; run from the top of the tree.
cd "$(dirname "$0")/.." || exit 2
status=0
files=$(git ls-files 2>/dev/null | grep -v '^scripts/check-citations.sh$')
[ -n "$files" ] || files=$(find . -type f ! -path './build/*' ! -path './logs/*' \
	! -path './.git/*' ! -name check-citations.sh | sed 's|^\./||')

# shellcheck disable=SC2086
outside=$(grep -nE 'design\.md|\.\./shared|kvm-msr-filter-abi|[Ii]ssue [0-9]+' \
	$files 2>/dev/null)
if [ -n "$outside" ]; then
	echo "FAIL: citations: documents outside the tree cited:"
	echo "$outside" | head -n 20
	status=1
else
	echo "PASS: citations: nothing cites a document outside the tree"
fi

# shellcheck disable=SC2086
docs=$(grep -ohE 'doc/[A-Za-z0-9_-]+\.md' $files 2>/dev/null | sort -u)
bad=
for d in $docs; do
	[ -f "$d" ] || bad="$bad $d"
done
if [ -n "$bad" ]; then
	echo "FAIL: citations: no such document in the tree:$bad"
	status=1
else
	echo "PASS: citations: every doc/*.md cited exists ($(echo "$docs" | wc -w) documents)"
fi

sections=$(sed -n 's/^##* \([0-9][0-9.]*[a-z]*\)\.* .*/\1/p' doc/abi.md | sed 's/\.$//')
# shellcheck disable=SC2086
cited=$(grep -ohE 'doc/abi\.md §[0-9]+(\.[0-9]+)?[a-z]?' $files 2>/dev/null |
	sed 's/.*§//' | sort -u)
bad=
for c in $cited; do
	echo "$sections" | grep -qxF "$c" || bad="$bad §$c"
done
if [ -n "$bad" ]; then
	echo "FAIL: citations: doc/abi.md has no section$bad"
	status=1
else
	echo "PASS: citations: every doc/abi.md § cited exists ($(echo "$cited" | wc -w) sections)"
fi
exit $status

#!/usr/bin/env bash
# Moves the major tag (v1) to the commit of a published release vX.Y.Z, so `uses: <owner>/<repo>@v1` gets it.
# Run by .github/workflows/release.yml from a checkout whose `origin` accepts the push (the workflow's token
# with contents: write). A pre-release (v2.0.0-rc.1) or a patch of an older line (v1.2.4 after v1.3.0) leaves
# the major tag where it is.
set -euo pipefail

tag="${1:?usage: move-major-tag.sh vX.Y.Z}"
if [[ ! "$tag" =~ ^v([0-9]+)\.([0-9]+)\.([0-9]+)$ ]]; then
  echo "::notice::Release $tag is not vX.Y.Z; no major tag was moved."
  exit 0
fi
major="v${BASH_REMATCH[1]}"

git fetch --quiet --force --tags origin
commit="$(git rev-parse "refs/tags/$tag^{commit}")"
# The newest vN.x.y decides: publishing a fix for an older minor line must not move vN back.
newest="$(git tag --list "$major.*.*" | grep -E "^$major\.[0-9]+\.[0-9]+$" | sort -V | tail -n 1)"
if [[ "$newest" != "$tag" ]]; then
  echo "::notice::$tag is not the newest $major release ($newest is); $major stays where it is."
  exit 0
fi
git tag --force "$major" "$commit"
git push --force origin "refs/tags/$major"
echo "::notice::$major now points at $tag ($commit)."

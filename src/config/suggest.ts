// "Did you mean ...?" suggestions for misspelled keys, enum values, target names and placeholders.
import { distance } from 'fastest-levenshtein';

/** Case, '-', '_' and spaces do not matter when comparing: RoleArn, role_arn and role-arn are one key. */
function normalize(word: string): string {
  return word.toLowerCase().replace(/[-_\s]/g, '');
}

/** The candidate closest to `word`, if it is close enough to be a plausible typo. */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  const normalized = normalize(word);
  const sameWord = candidates.find((candidate) => normalize(candidate) === normalized);
  if (sameWord !== undefined) return sameWord;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = distance(normalized, normalize(candidate));
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  // Up to a third of the word may be wrong (at least 1, at most 3 edits), so short words need near-exact matches.
  const allowed = Math.min(3, Math.max(1, Math.floor(normalized.length / 3)));
  return bestDistance <= allowed ? best : undefined;
}

/** "; did you mean X?" or "" when nothing is close. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const match = closestMatch(word, candidates);
  return match === undefined ? '' : `; did you mean ${match}?`;
}

/** A readable list of choices, shortened when long. */
export function listChoices(choices: readonly string[], max = 40): string {
  if (choices.length <= max) return choices.join(', ');
  return `${choices.slice(0, max).join(', ')}, ... (${choices.length - max} more)`;
}

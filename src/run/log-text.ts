// Text from the service (FailureReason, SDK error messages, ARNs, artifact URIs) printed in the log must never
// start a line that the runner reads as a workflow command. Stand-in until src/action/commands.ts exports its
// `inertText`: escapes what the toolkit escapes in command values, so the text stays on one line.
export function inertText(text: string): string {
  return text
    .replace(/%/g, '%25')
    .replace(/\r/g, '%0D')
    .replace(/\n/g, '%0A')
    .replace(/\u2028/g, '%E2%80%A8')
    .replace(/\u2029/g, '%E2%80%A9');
}

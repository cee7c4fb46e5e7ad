// Workflow-command annotations for config errors, in the documented property order
// `::error file=F,line=L,col=C,title=T::message`, escaped as the runner expects.

import type { ConfigError } from '../types.ts';

const escapeData = (text: string) => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (text: string) => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function errorAnnotation(error: ConfigError): string {
  const properties = [
    `file=${escapeProperty(error.file)}`,
    `line=${error.line}`,
    `col=${error.col}`,
    `title=${escapeProperty(error.title)}`,
  ].join(',');
  return `::error ${properties}::${escapeData(error.message)}`;
}

// URLs the report links to: AWS consoles (job page, log stream, S3 object) and GitHub (commit, run,
// config file). Every variable part is encoded here, and anything that does not look like what it
// should be (a region, a bucket) gets no link rather than a link to somewhere unexpected.

import { parseS3Uri } from '../s3-uri.ts';
import type { JobKind } from '../types.ts';

/** Fields of the report context the GitHub links need. */
export interface GitHubLinkContext {
  serverUrl: string;
  repository: string;
  sha: string;
  runId: string;
}

/** AWS region names such as us-east-1, eu-central-2, us-gov-west-1, cn-north-1. */
export function isAwsRegion(region: string): boolean {
  return /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region);
}

/** Console origin for a region; China and GovCloud have their own partitions. */
function consoleOrigin(region: string): string {
  if (region.startsWith('cn-')) return 'https://console.amazonaws.cn';
  if (region.startsWith('us-gov-')) return 'https://console.amazonaws-us-gov.com';
  return `https://${region}.console.aws.amazon.com`;
}

/** encodeURIComponent plus the characters it leaves alone that matter in markdown link destinations. */
export function encodeUrlPart(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (char) => `%${(char.codePointAt(0) ?? 0).toString(16).toUpperCase()}`,
  );
}

/** The CloudWatch console encodes fragment parts twice, writing `%` as `$25`. */
function cloudWatchEncode(value: string): string {
  return encodeUrlPart(value).replaceAll('%', '$25');
}

/** SageMaker console page of a compilation or optimization job, or undefined for an unknown region. */
export function sageMakerJobUrl(region: string, kind: JobKind, jobName: string): string | undefined {
  if (!isAwsRegion(region)) return undefined;
  const section = kind === 'optimization' ? 'optimization-jobs' : 'compilation-jobs';
  return `${consoleOrigin(region)}/sagemaker/home?region=${region}#/${section}/${encodeUrlPart(jobName)}`;
}

/**
 * CloudWatch log stream of a compilation job (log group /aws/sagemaker/CompilationJobs, stream named
 * after the job). Optimization jobs log elsewhere; their console page links to their logs.
 */
export function compilationLogUrl(region: string, kind: JobKind, jobName: string): string | undefined {
  if (!isAwsRegion(region) || kind !== 'compilation') return undefined;
  const group = cloudWatchEncode('/aws/sagemaker/CompilationJobs');
  return (
    `${consoleOrigin(region)}/cloudwatch/home?region=${region}` +
    `#logsV2:log-groups/log-group/${group}/log-events/${cloudWatchEncode(jobName)}`
  );
}

const VALID_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** S3 console page of the object behind an `s3://` URI (SageMaker writes artifacts in the job's region). */
export function s3ObjectUrl(region: string, uri: string): string | undefined {
  const location = parseS3Uri(uri);
  // Only valid bucket names go into a URL unencoded.
  if (!location?.key || !VALID_BUCKET.test(location.bucket) || !isAwsRegion(region)) return undefined;
  const prefix = encodeUrlPart(location.key).replaceAll('%2F', '/');
  return `${consoleOrigin(region)}/s3/object/${location.bucket}?region=${region}&prefix=${prefix}`;
}

function repositoryUrl(ctx: GitHubLinkContext): string {
  const server = ctx.serverUrl.replace(/\/+$/, '');
  return `${server}/${ctx.repository.split('/').map(encodeUrlPart).join('/')}`;
}

export function commitUrl(ctx: GitHubLinkContext): string {
  return `${repositoryUrl(ctx)}/commit/${encodeUrlPart(ctx.sha)}`;
}

/** The workflow run page; its summary tab shows the job summary. */
export function runUrl(ctx: GitHubLinkContext): string {
  return `${repositoryUrl(ctx)}/actions/runs/${encodeUrlPart(ctx.runId)}`;
}

/** The config file at this commit, at a line; undefined for paths outside the repository. */
export function fileLineUrl(ctx: GitHubLinkContext, path: string, line: number): string | undefined {
  const relative = path.replace(/^(\.\/)+/, '');
  if (relative === '' || relative.startsWith('/') || relative.split('/').includes('..')) return undefined;
  const encodedPath = relative.split('/').map(encodeUrlPart).join('/');
  const anchor = Number.isInteger(line) && line > 0 ? `#L${line}` : '';
  return `${repositoryUrl(ctx)}/blob/${encodeUrlPart(ctx.sha)}/${encodedPath}${anchor}`;
}

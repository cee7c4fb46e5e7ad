// The GitHub edge of the comment publisher: an Octokit client for the workflow's token and API URL.
import { getOctokit } from '@actions/github';
import { type CommentPublisher, createCommentPublisher } from './comment-publisher.ts';

export interface OpenPublisherOptions {
  token: string;
  /** GITHUB_API_URL of the runner (GitHub Enterprise Server, or the fake API in tests). */
  baseUrl: string;
  owner: string;
  repo: string;
  issueNumber: number;
  marker: string;
  minIntervalMs: number;
  log: { warning(message: string): void; debug(message: string): void };
}

export function openCommentPublisher(options: OpenPublisherOptions): CommentPublisher {
  const { token, baseUrl, ...rest } = options;
  return createCommentPublisher({ octokit: getOctokit(token, { baseUrl }), ...rest });
}

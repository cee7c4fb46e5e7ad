// Starts the local SageMaker + S3 + GitHub emulator: three HTTP servers on loopback that speak the real
// wire protocols, so the real AWS SDK and Octokit clients (and the built action) talk to them unchanged.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGitHubEmulator, type GitHubEmulator } from './github.ts';
import { createObjectStore } from './object-store.ts';
import { createS3Emulator, type S3Emulator } from './s3.ts';
import { createSageMakerEmulator, type SageMakerEmulator } from './sagemaker.ts';
import type { FaultOptions, RecordedCall, SageMakerOptions } from './types.ts';

export interface EmulatorOptions {
  sagemaker?: Partial<SageMakerOptions>;
  sagemakerFaults?: Partial<FaultOptions>;
  s3Faults?: Partial<FaultOptions>;
  github?: Parameters<typeof createGitHubEmulator>[0]['options'];
  /** 0 = any free port. */
  ports?: { sagemaker?: number; s3?: number; github?: number };
  host?: string;
}

export interface Emulator {
  sagemakerUrl: string;
  s3Url: string;
  githubUrl: string;
  /** Environment that points the AWS SDK and Octokit at the emulator (fake credentials included). */
  env: Record<string, string>;
  sagemaker: SageMakerEmulator;
  s3: S3Emulator;
  github: GitHubEmulator;
  /** Every request any of the three servers answered, in order. */
  calls: RecordedCall[];
  close(): Promise<void>;
}

async function listen(handler: http.RequestListener, host: string, port: number): Promise<http.Server> {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const calls: RecordedCall[] = [];
  const record = (call: RecordedCall) => {
    calls.push(call);
  };
  const store = createObjectStore();
  const sagemaker = createSageMakerEmulator({
    store,
    record,
    options: options.sagemaker,
    faults: options.sagemakerFaults,
  });
  const s3 = createS3Emulator({ store, record, faults: options.s3Faults });
  const github = createGitHubEmulator({ record, options: options.github });
  const servers = await Promise.all([
    listen((req, res) => sagemaker.handle(req, res), host, options.ports?.sagemaker ?? 0),
    listen((req, res) => s3.handle(req, res), host, options.ports?.s3 ?? 0),
    listen((req, res) => github.handle(req, res), host, options.ports?.github ?? 0),
  ]);
  const url = (server: http.Server) => `http://${host}:${(server.address() as AddressInfo).port}`;
  const [sagemakerUrl, s3Url, githubUrl] = servers.map(url) as [string, string, string];
  return {
    sagemakerUrl,
    s3Url,
    githubUrl,
    env: {
      AWS_ENDPOINT_URL_SAGEMAKER: sagemakerUrl,
      AWS_ENDPOINT_URL_S3: s3Url,
      GITHUB_API_URL: githubUrl,
      AWS_ACCESS_KEY_ID: 'AKIAEMULATOR00000000',
      AWS_SECRET_ACCESS_KEY: 'emulator-secret-key',
      AWS_REGION: 'us-west-2',
    },
    sagemaker,
    s3,
    github,
    calls,
    async close() {
      sagemaker.close();
      s3.close();
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
    },
  };
}

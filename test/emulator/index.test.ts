// The assembled emulator (three servers) closes promptly even while SageMaker holds connections open.
import { ListCompilationJobsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { expect, it } from 'vitest';
import { startEmulator } from '../../emulator/index.ts';

it('close() ends hung SageMaker requests instead of waiting for them', async () => {
  const emulator = await startEmulator({ sagemakerFaults: { hangRate: 1 } });
  const sm = new SageMakerClient({
    endpoint: emulator.sagemakerUrl,
    region: 'us-west-2',
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
  try {
    const pending = sm.send(new ListCompilationJobsCommand({})).then(
      () => 'answered',
      () => 'connection lost',
    );
    while (emulator.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(emulator.calls[0]).toMatchObject({ service: 'sagemaker', status: 0, detail: 'hung' });
    await emulator.close();
    expect(await pending).toBe('connection lost');
  } finally {
    sm.destroy();
  }
});

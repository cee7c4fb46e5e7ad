import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COMMENT_MAX_LENGTH,
  commentMarker,
  renderCommentBody,
  renderLogTable,
  renderPlanSummary,
  renderSummary,
  renderValidationErrorsBody,
} from '../../src/report/render.ts';
import type { SizeReport } from '../../src/report/sizes.ts';
import type { JobState, PlannedJob } from '../../src/types.ts';
import {
  ctx,
  HOSTILE,
  job,
  NOW,
  pipeCount,
  tables,
  withoutCodeBlocks,
  withoutPreContents,
} from './helpers.ts';

const GITHUB_LIMIT = 65_536;

/** Checks that hostile text left the markdown structure alone and stayed inert. */
function expectIntactAndInert(markdown: string): void {
  const found = tables(markdown);
  expect(found.length).toBeGreaterThan(0);
  for (const table of found) {
    const [header, ...rows] = table;
    expect(header).toBeDefined();
    for (const row of rows) expect(pipeCount(row)).toBe(pipeCount(header ?? ''));
  }
  expect(markdown).not.toContain('<img');
  expect(markdown).not.toMatch(/@octocat/);
  expect(markdown).not.toMatch(/@acme\//);
  // Text inside <pre> is never markdown; everywhere else link syntax must be escaped.
  expect(withoutPreContents(markdown)).not.toMatch(/(?<!\\)\]\(https:\/\/evil/);
  for (const pre of markdown.match(/<pre>[\s\S]*?<\/pre>/g) ?? [])
    expect(pre.slice(5, -6)).not.toMatch(/[<>]/);
  expect(markdown).not.toContain('\u202E');
  const structure = withoutCodeBlocks(markdown);
  expect(structure.match(/<details>/g)?.length ?? 0).toBe(structure.match(/<\/details>/g)?.length ?? 0);
  expect(structure.match(/<summary>/g)?.length ?? 0).toBe(structure.match(/<\/summary>/g)?.length ?? 0);
  // The marker's `-->` is the only one.
  expect(markdown.split('-->').length - 1).toBeLessThanOrEqual(1);
}

const hostileJobs = (): JobState[] => [
  job(),
  job({ target: HOSTILE, device: HOSTILE, jobName: HOSTILE, status: 'FAILED', failureReason: HOSTILE }),
  job({
    target: 't2',
    status: 'FAILED',
    failureReason: `short ${HOSTILE}`,
    artifact: `s3://bucket/${HOSTILE}`,
  }),
  job({
    target: 't3',
    status: 'NOT_CREATED',
    failureReason: HOSTILE,
    createdAt: undefined,
    startedAt: undefined,
    endedAt: undefined,
  }),
];

describe('commentMarker', () => {
  it('differs per workflow and per config path', () => {
    const markers = new Set([
      commentMarker('CI', 'neo.yml'),
      commentMarker('Release', 'neo.yml'),
      commentMarker('CI', 'models/neo.yml'),
      commentMarker('a config=b', 'c'),
      commentMarker('a', 'b config=c'),
    ]);
    expect(markers.size).toBe(5);
    expect(commentMarker('CI', 'neo.yml')).toBe('<!-- neo-compile-action:v1 workflow=CI config=neo.yml -->');
  });

  it('treats ./neo.yml and neo.yml as the same config', () => {
    expect(commentMarker('CI', './neo.yml')).toBe(commentMarker('CI', 'neo.yml'));
  });

  it('keeps hostile values on one line inside the comment', () => {
    const marker = commentMarker('x --> <b>@octocat</b>\n--!>', 'a-->b\nc');
    expect(marker).toMatch(/^<!-- neo-compile-action:v1 workflow=\S+ config=\S+ -->$/);
    expect(marker.split('-->')).toHaveLength(2);
    expect(marker).not.toContain('--!>');
  });
});

describe('renderCommentBody', () => {
  it('starts with the marker and shows the commit, run, counts and one row per target', () => {
    const body = renderCommentBody(
      [
        job(),
        job({ target: 'rasp3b', status: 'FAILED', failureReason: 'ClientError: unsupported op' }),
        job({ target: 'g4dn', status: 'INPROGRESS', endedAt: undefined }),
        job({ target: 'old', reused: true }),
        job({
          target: 'next',
          status: 'PENDING',
          createdAt: undefined,
          startedAt: undefined,
          endedAt: undefined,
        }),
        job({ target: 'halt', status: 'STOPPED' }),
      ],
      ctx,
    );
    expect(body.startsWith(`${commentMarker('CI', 'neo.yml')}\n`)).toBe(true);
    expect(body).toContain(
      '[`abc1234`](https://github.com/acme/models/commit/abc1234def5678abc1234def5678abc1234def56)',
    );
    expect(body).toContain('(https://github.com/acme/models/actions/runs/4242)');
    expect(body).toContain(
      '✅ 1 completed · ♻️ 1 reused · ❌ 1 failed · ⏹️ 1 stopped · 🔄 1 running · ⏳ 1 queued',
    );
    const [table] = tables(body);
    expect(table).toHaveLength(2 + 6);
    expect(body).toContain('| jetson_nano | jetson_nano | ✅ completed | 1m 23s |');
    expect(body).toContain('| g4dn | jetson_nano | 🔄 running | 2m 30s |');
    expect(body).toContain('ClientError: unsupported op');
    expect(body).toContain('⏳ queued | — |');
    expect(body).toContain('Updated 12:00:00 UTC');
  });

  it('links the artifact, the job page and its log stream in the job region', () => {
    const body = renderCommentBody([job({ region: 'eu-central-1' })], ctx, { final: true });
    expect(body).toContain(
      '[s3://acme-models/out/jetson_nano/model.tar.gz](https://eu-central-1.console.aws.amazon.com/s3/object/acme-models?region=eu-central-1&prefix=out/jetson_nano/model.tar.gz)',
    );
    expect(body).toContain(
      '[neo-abc1234-jetson-nano](https://eu-central-1.console.aws.amazon.com/sagemaker/home?region=eu-central-1#/compilation-jobs/neo-abc1234-jetson-nano)',
    );
    expect(body).toContain(
      '[logs](https://eu-central-1.console.aws.amazon.com/cloudwatch/home?region=eu-central-1#logsV2:log-groups/log-group/$252Faws$252Fsagemaker$252FCompilationJobs/log-events/neo-abc1234-jetson-nano)',
    );
    const optimization = renderCommentBody([job({ kind: 'optimization' })], ctx);
    expect(optimization).toContain('#/optimization-jobs/neo-abc1234-jetson-nano)');
  });

  it('states the outcome in the final title', () => {
    expect(renderCommentBody([job()], ctx, { final: true })).toContain(
      '### ✅ SageMaker Neo: 1 target ready',
    );
    expect(renderCommentBody([job(), job({ status: 'FAILED' })], ctx, { final: true })).toContain(
      '### ❌ SageMaker Neo: 1 of 2 targets failed',
    );
    expect(renderCommentBody([job({ status: 'INPROGRESS' })], ctx)).toContain(
      '### 🔄 SageMaker Neo: 0 of 1 target done',
    );
    expect(renderCommentBody([job()], ctx, { final: true })).not.toContain('Updated');
  });

  it('is the same text for the same state, so unchanged updates can be skipped', () => {
    expect(renderCommentBody(hostileJobs(), ctx, { final: true })).toBe(
      renderCommentBody(hostileJobs(), ctx, { final: true }),
    );
  });

  it('keeps the table intact and the text inert with hostile names and failure reasons', () => {
    const body = renderCommentBody(hostileJobs(), ctx);
    expectIntactAndInert(body);
    // The full reason, newlines kept, sits in a <details> block whose fence outlasts its backtick runs.
    expect(body).toContain('<details><summary>');
    expect(body).toContain('<pre>x | y || `tick` ```fence``` ````\n| a | b |\n&lt;img src=x');
  });

  it('shows a short, one-line failure reason in the cell and the full text below', () => {
    const reason = `${'CompilationError: '.repeat(20)}\nTraceback line 2`;
    const body = renderCommentBody([job({ status: 'FAILED', failureReason: reason })], ctx);
    const [table] = tables(body);
    const row = table?.[2] ?? '';
    expect(row).toContain('CompilationError: CompilationError:');
    expect(row).toContain('…');
    expect(row).not.toContain('Traceback');
    expect(body).toContain(`<pre>${reason}</pre>`);
  });

  it('keeps a 300-target run with long failure reasons under the GitHub limit and says what was cut', () => {
    const jobs = Array.from({ length: 300 }, (_, i) =>
      job({
        target: `target-${i}-${'n'.repeat(60)}`,
        jobName: `neo-abc1234-target-${i}`,
        status: 'FAILED',
        failureReason: `Failure ${i}: ${'model conversion failed | <b>@octocat</b> ```'.repeat(60)}`,
        endedAt: NOW - 1_000 * i,
      }),
    );
    const body = renderCommentBody(jobs, ctx, { final: true });
    expect(body.length).toBeLessThanOrEqual(COMMENT_MAX_LENGTH);
    expect(body.length).toBeLessThan(GITHUB_LIMIT);
    expectIntactAndInert(body);
    const rows = (tables(body)[0]?.length ?? 0) - 2;
    expect(rows).toBeGreaterThan(10);
    expect(rows).toBeLessThan(300);
    expect(body).toContain(`… ${300 - rows} more targets, see the job summary`);
    expect(body).toMatch(
      /Failure details cut to fit GitHub's comment size limit \((\d+ shortened, )?\d+ left out\)/,
    );
    expect(body).toContain('❌ 300 failed');
  });

  it('shortens the longest failure details before dropping anything', () => {
    const jobs = Array.from({ length: 20 }, (_, i) =>
      job({
        target: `t${i}`,
        status: 'FAILED',
        failureReason: `reason ${i}\n${'x'.repeat(i === 0 ? 40_000 : 1_000)}`,
      }),
    );
    const body = renderCommentBody(jobs, ctx);
    expect(body.length).toBeLessThanOrEqual(COMMENT_MAX_LENGTH);
    expect(tables(body)[0]).toHaveLength(22);
    expect(body.match(/<details>/g)).toHaveLength(20);
    expect(body).toContain("Failure details cut to fit GitHub's comment size limit (1 shortened)");
    expect(body).toMatch(/… \(\d+ more characters cut\)/);
    expect(body).toContain(`<pre>reason 5\n${'x'.repeat(1_000)}</pre>`);
  });

  it('respects a smaller maxLength', () => {
    const jobs = Array.from({ length: 50 }, (_, i) => job({ target: `t${i}` }));
    const body = renderCommentBody(jobs, ctx, { maxLength: 10_000 });
    expect(body.length).toBeLessThanOrEqual(10_000);
    expect(body).toMatch(/… \d+ more targets, see the job summary/);
  });
});

describe('renderValidationErrorsBody', () => {
  it('lists every problem with its file:line:col, linked to the line, under the marker', () => {
    const body = renderValidationErrorsBody(
      [
        {
          file: 'neo.yml',
          line: 12,
          col: 5,
          title: 'Unknown target device',
          message: "device 'jetson_nan' is not a TargetDevice; did you mean jetson_nano?",
        },
        { file: 'neo.yml', line: 3, col: 1, title: HOSTILE, message: HOSTILE },
      ],
      ctx,
    );
    expect(body.startsWith(commentMarker('CI', 'neo.yml'))).toBe(true);
    expect(body).toContain(
      '| [neo.yml:12:5](https://github.com/acme/models/blob/abc1234def5678abc1234def5678abc1234def56/neo.yml#L12) | Unknown target device |',
    );
    expect(body).toContain('did you mean jetson_nano?');
    expect(body).toContain('2 problems');
    expectIntactAndInert(body);
  });
});

describe('renderSummary', () => {
  it('has the job table and a Mermaid Gantt chart with one entry per job', () => {
    const jobs = [
      ...hostileJobs(),
      job({ target: 'running', status: 'INPROGRESS', endedAt: undefined }),
      job({ target: 'queued', status: 'STARTING', startedAt: undefined, endedAt: undefined }),
      job({ target: 'old', reused: true, createdAt: NOW - 86_400_000 }),
    ];
    const summary = renderSummary(jobs, ctx);
    expect(summary).not.toContain('neo-compile-action:v1');
    expect(tables(summary)[0]).toHaveLength(2 + jobs.length);
    expectIntactAndInert(summary);

    const gantt = /```mermaid\n([\s\S]*?)\n```/.exec(summary)?.[1] ?? '';
    expect(gantt).toMatch(/^gantt\n {4}dateFormat x\n/);
    const sections = gantt.split('\n').filter((line) => line.trim().startsWith('section '));
    expect(sections).toHaveLength(jobs.length);
    // Mermaid labels end at ':', ';' or '#': none may come from a target name.
    for (const section of sections) expect(section).not.toMatch(/[:;#`<>@]/);
    expect(gantt).toContain(`    queued :done, ${NOW - 150_000}, ${NOW - 120_000}`);
    expect(gantt).toContain(`    running :done, ${NOW - 120_000}, ${NOW - 67_000}`);
    expect(gantt).toContain(`    running :active, ${NOW - 120_000}, ${NOW}`);
    expect(gantt).toContain(`    queued :active, ${NOW - 150_000}, ${NOW}`);
    expect(gantt).toContain('    reused :milestone');
    expect(gantt).toContain('    not submitted :milestone, crit');
    // A reused job's day-old times do not stretch the axis.
    expect(gantt).not.toContain(String(NOW - 86_400_000));
  });
});

describe('renderPlanSummary', () => {
  it('shows the plan as a table and each request as collapsible JSON', () => {
    const plan: PlannedJob[] = [
      {
        target: 'jetson_nano',
        kind: 'compilation',
        region: 'us-east-1',
        jobName: 'neo-abc1234-jetson-nano',
        device: 'jetson_nano',
        position: { line: 7, col: 3 },
        request: {
          CompilationJobName: 'neo-abc1234-jetson-nano',
          RoleArn: 'arn:aws:iam::123456789012:role/neo',
          InputConfig: {
            S3Uri: 's3://acme/model ```tar.gz',
            Framework: 'PYTORCH',
            DataInputConfig: '{"input":[1,3,224,224]}',
          },
          OutputConfig: { S3OutputLocation: 's3://acme/out/', TargetDevice: 'jetson_nano' },
          StoppingCondition: { MaxRuntimeInSeconds: 900 },
        },
      },
      {
        target: HOSTILE,
        kind: 'optimization',
        region: 'us-west-2',
        jobName: 'neo-abc1234-g5',
        device: 'ml.g5.xlarge',
        request: {
          OptimizationJobName: 'neo-abc1234-g5',
          RoleArn: 'arn:aws:iam::123456789012:role/neo',
          ModelSource: { S3: { S3Uri: 's3://acme/llm/' } },
          DeploymentInstanceType: 'ml.g5.xlarge',
          OptimizationConfigs: [],
          OutputConfig: { S3OutputLocation: 's3://acme/out/' },
          StoppingCondition: { MaxRuntimeInSeconds: 3600 },
        },
      },
    ];
    const summary = renderPlanSummary(plan, ctx, new Set());
    expect(summary).toContain('2 jobs planned');
    expect(summary).not.toContain('Not the final name');
    expect(tables(summary)[0]).toHaveLength(4);
    expect(summary).toContain(
      '| [jetson_nano](https://github.com/acme/models/blob/abc1234def5678abc1234def5678abc1234def56/neo.yml#L7) | compilation | jetson_nano | us-east-1 | neo-abc1234-jetson-nano |',
    );
    expect(summary).toContain('<summary>CreateCompilationJob request for <b>jetson_nano</b></summary>');
    expect(summary).toContain('<summary>CreateOptimizationJob request for <b>');
    expect(summary).toContain(`\`\`\`\`json\n${JSON.stringify(plan[0]?.request, null, 2)}\n\`\`\`\``);
    const structure = withoutCodeBlocks(summary);
    expect(structure).not.toContain('<img');
    expect(structure).not.toMatch(/@octocat/);
    for (const row of tables(summary)[0] ?? []) expect(pipeCount(row)).toBe(6);
  });

  it('marks names that a dry run cannot know (the model is in S3) and says why', () => {
    const plan = [
      {
        target: 'pi',
        kind: 'compilation',
        region: 'us-east-1',
        jobName: 'neo-pi-0000',
        device: 'rasp4b',
        request: { CompilationJobName: 'neo-pi-0000' },
      },
      {
        target: 'local',
        kind: 'compilation',
        region: 'us-east-1',
        jobName: 'neo-local-1111',
        device: 'rasp4b',
        request: { CompilationJobName: 'neo-local-1111' },
      },
    ] as PlannedJob[];
    const summary = renderPlanSummary(plan, ctx, new Set(['pi']));
    expect(summary).toContain('| neo-pi-0000 * |');
    expect(summary).toContain('| neo-local-1111 |');
    expect(summary).toContain('Not the final name: its hash covers the model in S3');
  });
});

describe('renderLogTable', () => {
  it('aligns the columns and ends with the counts', () => {
    const text = renderLogTable(
      [
        job(),
        job({
          target: 'rasp3b-long-name',
          status: 'FAILED',
          failureReason: 'ClientError: bad\nshape',
          artifact: undefined,
        }),
        job({ target: 'x', status: 'PENDING', createdAt: undefined }),
      ],
      NOW,
    );
    const lines = text.split('\n');
    expect(lines).toHaveLength(5);
    const [header, ...rest] = lines;
    const column = (name: string) => header?.indexOf(name) ?? -1;
    expect(lines[1]?.indexOf('jetson_nano')).toBe(column('TARGET'));
    expect(lines[2]?.indexOf('1m 23s')).toBe(column('DURATION'));
    expect(lines[2]?.indexOf('ClientError: bad shape')).toBe(column('RESULT'));
    expect(lines[3]?.startsWith('queued ')).toBe(true);
    expect(rest.at(-1)).toBe('3 targets: 1 completed, 1 failed, 1 queued');
  });

  it('keeps hostile text on its row and out of workflow-command syntax', () => {
    const text = renderLogTable(
      [job({ target: '::error::pwned', failureReason: 'a\n::add-mask::x ##[error]boom', status: 'FAILED' })],
      NOW,
    );
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line.trimStart().startsWith('::')).toBe(false);
    expect(text).not.toContain('##[');
  });
});

describe('rendering arbitrary text', () => {
  const OUR_TAGS = /<\/?(details|summary|b|pre|sub)>|<br>💡 |<!-- neo-compile-action:v1 \S+ \S+ -->/g;
  const nasty = fc.string({
    unit: fc.oneof(
      fc.constantFrom(
        '|',
        '`',
        '<',
        '>',
        '&',
        '@',
        '#',
        '1',
        '\\',
        '[',
        ']',
        '(',
        ')',
        '*',
        '_',
        '~',
        '\n',
        '\r',
        ' ',
        '-',
        '!',
      ),
      fc.string({ maxLength: 1 }),
    ),
    maxLength: 200,
  });

  it('never lets names or failure reasons break the table, add HTML or mention anyone', () => {
    fc.assert(
      fc.property(nasty, nasty, nasty, (target, reason, path) => {
        const jobs = [
          job(),
          job({ target, device: target, status: 'FAILED', failureReason: reason, artifact: reason }),
        ];
        for (const markdown of [
          renderCommentBody(jobs, { ...ctx, configPath: path, workflow: target }),
          renderSummary(jobs, ctx),
          renderValidationErrorsBody([{ file: path, line: 1, col: 1, title: target, message: reason }], ctx),
        ]) {
          for (const table of tables(markdown)) {
            for (const row of table) expect(pipeCount(row)).toBe(pipeCount(table[0] ?? ''));
          }
          const outsideCode = withoutCodeBlocks(markdown).replace(OUR_TAGS, '');
          expect(outsideCode).not.toMatch(/[<>]/);
          expect(markdown).not.toMatch(/@[\p{L}\p{N}]/u);
        }
      }),
      // A reason that earns a failure hint (our own `<br>💡`), once found by a random run.
      { numRuns: 300, examples: [['', 'Op', '']] },
    );
  });
});

describe('sizes in the reports', () => {
  const sizes: SizeReport = {
    baselineLabel: 'main @ 3f2c9d1',
    rows: new Map([
      [
        'jetson',
        {
          target: 'jetson',
          size: 21_900_000,
          baselineSize: 17_800_000,
          compileSeconds: 70,
          baselineCompileSeconds: 58,
          presence: 'same',
          overBudget: 'grew 23% > max-growth 10%',
        },
      ],
      ['pi', { target: 'pi', size: 3_000_000, presence: 'new' }],
      ['retired', { target: 'retired', baselineSize: 1_000_000, presence: 'gone' }],
    ]),
  };
  const jobs = [
    job({ target: 'jetson', status: 'COMPLETED', createdAt: NOW - 70_000, endedAt: NOW }),
    job({ target: 'pi', status: 'COMPLETED', createdAt: NOW - 10_000, endedAt: NOW }),
  ];

  it('shows size then -> now with the change, new and gone targets, budgets, and the baseline', () => {
    const body = renderCommentBody(jobs, { ...ctx, sizes }, { final: true });
    // `@` is defused against mentions (a zero-width joiner after it).
    expect(body).toMatch(/<sub>Sizes vs main @\u200d? 3f2c9d1 · gone since then: retired<\/sub>/);
    expect(body).toContain(
      '⚠️ 17.8 MB → 21.9 MB<br>+4.1 MB (+23%)<br>over budget: grew 23% &gt; max-growth 10%',
    );
    expect(body).toContain('3 MB<br>new');
    expect(body).toContain('1m 10s (+12s)');
    const [header] = tables(body)[0] ?? [];
    expect(header).toContain('| Size |');
    const log = renderLogTable(jobs, NOW, sizes);
    expect(log).toContain('OVER BUDGET 17.8 MB → 21.9 MB +4.1 MB (+23%)');
  });

  it('says why there is no comparison, quietly, and shows sizes alone', () => {
    const alone: SizeReport = {
      note: 'no history for main yet',
      rows: new Map([['jetson', { target: 'jetson', size: 21_900_000, presence: 'same' }]]),
    };
    const summary = renderSummary(jobs, { ...ctx, sizes: alone });
    expect(summary).toContain('<sub>Sizes: no history for main yet</sub>');
    expect(summary).toContain('| 21.9 MB |');
    expect(renderSummary(jobs, ctx)).not.toContain('| Size |');
  });
});

describe('downloads in the table', () => {
  it('says why an artifact was not downloaded', () => {
    const skipped = job({
      target: 'llm',
      status: 'COMPLETED',
      artifact: 's3://out/llm/',
      downloadSkipped: 'an optimization job writes a folder of files, not one archive',
    });
    expect(renderSummary([skipped], ctx)).toContain(
      '<br><sub>not downloaded: an optimization job writes a folder of files, not one archive</sub>',
    );
  });
});

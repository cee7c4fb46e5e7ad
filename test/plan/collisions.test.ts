// findArtifactCollisions: the message shows s3-location as written in neo.yml (placeholders, not their values)
// and the fix with ${target}.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: neo.yml placeholders are written ${name}, like template strings.
import { describe, expect, it } from 'vitest';
import { findArtifactCollisions, planJobs } from '../../src/plan/plan.ts';
import { configOf, ctx, HEADER, pos } from '../config/helpers.ts';

const text = `${HEADER.replace('s3://artifacts/out/', 's3://artifacts/${short-sha}/${matrix.flavour}')}targets:
  - name: nano
    device: jetson_nano
    matrix:
      flavour: [fast, small]
      tags: [{n: '1'}, {n: '2'}]
`;

describe('artifact collisions', () => {
  it('suggests ${target} in the s3-location as written, placeholders kept', () => {
    const config = configOf(text);
    const errors = findArtifactCollisions(planJobs(config, ctx).jobs, 'neo.yml', config);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatchObject({
      file: 'neo.yml',
      ...pos(text, 'name: nano'),
      title: 'Targets overwrite each other’s artifact',
    });
    expect(errors[0]?.message).toBe(
      "targets 'nano-fast-1' and 'nano-fast-2' would both write s3://artifacts/0123456/fast/model-jetson_nano.tar.gz (Neo names the artifact after the model and the device); give each its own output with ${target} in the path, e.g. s3-location: s3://artifacts/${short-sha}/${matrix.flavour}/${target}/",
    );
  });

  it('without the config, still suggests ${target} after the expanded location', () => {
    const config = configOf(text);
    const [error] = findArtifactCollisions(planJobs(config, ctx).jobs, 'neo.yml');
    expect(error?.message).toMatch(/e\.g\. s3-location: s3:\/\/artifacts\/0123456\/fast\/\$\{target\}\/$/);
  });
});

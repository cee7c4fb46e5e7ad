import { describe, expect, it } from 'vitest';
import { errorAnnotation } from '../../src/action/commands.ts';

describe('errorAnnotation', () => {
  it('writes file, line, col and title in that order', () => {
    const line = errorAnnotation({
      file: 'neo.yml',
      line: 12,
      col: 13,
      title: 'Unknown device',
      message: 'did you mean jetson_nano?',
    });
    expect(line).toBe('::error file=neo.yml,line=12,col=13,title=Unknown device::did you mean jetson_nano?');
  });

  it('escapes separators so a message or title cannot end the command early', () => {
    const line = errorAnnotation({
      file: 'a,b:c.yml',
      line: 1,
      col: 2,
      title: 'x: y, z',
      message: '50%\nnext::line',
    });
    expect(line).toBe('::error file=a%2Cb%3Ac.yml,line=1,col=2,title=x%3A y%2C z::50%25%0Anext::line');
  });
});

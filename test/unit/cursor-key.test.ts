/** Where the cursor key comes from (shared/pagination/cursors.ts): never a default inside Lambda. */
import { parseConfig } from '../../shared/config.js';
import { cursorKeySource } from '../../shared/pagination/cursors.js';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:CursorKey-AbCdEf';
const LOCAL_KEY = 'k'.repeat(43);

describe('cursorKeySource', () => {
  it('in Lambda, reads the secret the stack generated', () => {
    expect(
      cursorKeySource(parseConfig({ AWS_LAMBDA_FUNCTION_NAME: 'journal', CURSOR_KEY_SECRET_ARN: ARN })),
    ).toEqual({ kind: 'secret', arn: ARN });
  });

  it('in Lambda, fails closed without the secret, and refuses a literal key', () => {
    expect(() => cursorKeySource(parseConfig({ AWS_LAMBDA_FUNCTION_NAME: 'journal' }))).toThrow(
      /CURSOR_KEY_SECRET_ARN is not set/,
    );
    expect(() =>
      cursorKeySource(parseConfig({ AWS_LAMBDA_FUNCTION_NAME: 'journal', CURSOR_KEY: LOCAL_KEY })),
    ).toThrow(/local only/);
    expect(() =>
      cursorKeySource(
        parseConfig({
          AWS_LAMBDA_FUNCTION_NAME: 'journal',
          CURSOR_KEY: LOCAL_KEY,
          CURSOR_KEY_SECRET_ARN: ARN,
        }),
      ),
    ).toThrow(/local only/);
  });

  it('locally, takes CURSOR_KEY, else makes a key for the process', () => {
    expect(cursorKeySource(parseConfig({ CURSOR_KEY: LOCAL_KEY }))).toEqual({
      kind: 'literal',
      key: LOCAL_KEY,
    });
    expect(cursorKeySource(parseConfig({}))).toEqual({ kind: 'ephemeral' });
  });
});

/**
 * The local event consumer reads DynamoDB Local's change stream, which hands an empty map over as `{}` (no type),
 * where DynamoDB writes `{"M": {}}`: a refresh job's item has one when it starts. `changeOf` must read such a
 * record like any other, or that one record would stop the local pipeline for good.
 */
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { changeOf, withEmptyMaps } from '../../shared/events/stream.js';

describe('stream images from DynamoDB Local', () => {
  it('reads an empty map given as {} (at the top, inside a map, inside a list) as an empty map', () => {
    const record = {
      eventName: 'INSERT',
      dynamodb: {
        NewImage: {
          pk: { S: 'JOB#job_1' },
          cursors: {},
          summary: { M: { rise: { N: '0' }, byTier: {} } },
          pages: { L: [{}, { S: 'x' }] },
        },
      },
    } as unknown as _Record;
    expect(changeOf(record)).toEqual({
      eventName: 'INSERT',
      newImage: { pk: 'JOB#job_1', cursors: {}, summary: { rise: 0, byTier: {} }, pages: [{}, 'x'] },
    });
  });

  it('leaves every well-formed attribute as it is', () => {
    const image = {
      a: { S: 'x' },
      b: { N: '1' },
      c: { NULL: true },
      d: { M: { e: { BOOL: false } } },
      f: { L: [] },
    };
    expect(withEmptyMaps(image)).toEqual(image);
  });
});

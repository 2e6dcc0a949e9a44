/**
 * A change stream record, as DynamoDB Streams' GetRecords (the local consumer) and Lambda's DynamoDB event source
 * (the mapper Lambda) both hand it over: the same shape, images in DynamoDB JSON. `changeOf` unmarshals it for the
 * mapper (mapper.ts), so both consumers map records through the same code.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { ChangeRecord } from './mapper.js';

export interface StreamRecordLike {
  eventName?: string | undefined;
  dynamodb?:
    | {
        NewImage?: Record<string, unknown> | undefined;
        OldImage?: Record<string, unknown> | undefined;
        SequenceNumber?: string | undefined;
      }
    | undefined;
}

export function changeOf(record: StreamRecordLike): ChangeRecord {
  const image = record.dynamodb;
  const plain = (value: Record<string, unknown>) =>
    unmarshall(withEmptyMaps(value) as Record<string, AttributeValue>);
  return {
    eventName: (record.eventName ?? 'MODIFY') as ChangeRecord['eventName'],
    ...(image?.NewImage ? { newImage: plain(image.NewImage) } : {}),
    ...(image?.OldImage ? { oldImage: plain(image.OldImage) } : {}),
  };
}

type Image = Record<string, unknown>;

/**
 * DynamoDB Local's stream hands an empty map over as `{}`, with no type (DynamoDB's is `{"M": {}}`): a refresh
 * job's `cursors` when it starts. `unmarshall` refuses it, and that one record would stop the pipeline for good.
 * A real stream never does this; repairing it there changes nothing.
 */
export function withEmptyMaps(image: Image): Image {
  const repair = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    const attribute = value as Image;
    if (Object.keys(attribute).length === 0) return { M: {} };
    if (attribute['M']) return { M: withEmptyMaps(attribute['M'] as Image) };
    if (Array.isArray(attribute['L'])) return { L: attribute['L'].map(repair) };
    return attribute;
  };
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, repair(value)]));
}

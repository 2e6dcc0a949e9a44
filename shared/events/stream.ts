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
  const plain = (value: Record<string, unknown>) => unmarshall(value as Record<string, AttributeValue>);
  return {
    eventName: (record.eventName ?? 'MODIFY') as ChangeRecord['eventName'],
    ...(image?.NewImage ? { newImage: plain(image.NewImage) } : {}),
    ...(image?.OldImage ? { oldImage: plain(image.OldImage) } : {}),
  };
}

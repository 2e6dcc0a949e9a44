/**
 * The single table: on-demand, point-in-time recovery, deletion protection, TTL for idempotency records, the
 * three sparse indexes the code queries, and warm throughput sized for the festival peak (set days before).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { ACCOUNTS_INDEX, EXPIRY_INDEX, REVIEW_INDEX, TABLE_KEYS, TTL_ATTRIBUTE } from '../../shared/storage/table.js';

export interface CreditTableProps {
  warmReadUnitsPerSecond: number;
  warmWriteUnitsPerSecond: number;
}

export class CreditTable extends Construct {
  readonly table: TableV2;

  constructor(scope: Construct, id: string, props: CreditTableProps) {
    super(scope, id);
    const s = (name: string) => ({ name, type: AttributeType.STRING });
    this.table = new TableV2(this, 'Table', {
      partitionKey: s(TABLE_KEYS.partitionKey),
      sortKey: s(TABLE_KEYS.sortKey),
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      encryption: TableEncryptionV2.awsManagedKey(),
      warmThroughput: { readUnitsPerSecond: props.warmReadUnitsPerSecond, writeUnitsPerSecond: props.warmWriteUnitsPerSecond },
      globalSecondaryIndexes: [
        { indexName: EXPIRY_INDEX.name, partitionKey: s(EXPIRY_INDEX.partitionKey), sortKey: s(EXPIRY_INDEX.sortKey), projectionType: ProjectionType.KEYS_ONLY },
        { indexName: REVIEW_INDEX.name, partitionKey: s(REVIEW_INDEX.partitionKey), sortKey: s(REVIEW_INDEX.sortKey), projectionType: ProjectionType.ALL },
        { indexName: ACCOUNTS_INDEX.name, partitionKey: s(ACCOUNTS_INDEX.partitionKey), sortKey: s(ACCOUNTS_INDEX.sortKey), projectionType: ProjectionType.KEYS_ONLY },
      ],
    });
  }
}

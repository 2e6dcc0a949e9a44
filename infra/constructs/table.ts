/**
 * The single DynamoDB table, built from shared/storage/table.ts (the same description DynamoDB Local is created
 * from), and the one place that turns a function's table access ('read' | 'write') into IAM statements.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  Billing,
  ProjectionType,
  TableEncryptionV2,
  StreamViewType,
  TableV2,
  type TablePropsV2,
  type GlobalSecondaryIndexPropsV2,
} from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  ACCOUNTS_INDEX,
  EXPIRY_INDEX,
  REVIEW_INDEX,
  TABLE_KEYS,
  TTL_ATTRIBUTE,
} from '../../shared/storage/table.js';
import { EVENTS_ORDER_INDEX } from '../../shared/events/table.js';
import { TABLE_ACTIONS, type TableAccess } from '../route-permissions.js';

const keyAttribute = (name: string) => ({ name, type: AttributeType.STRING });

/** The longest point-in-time recovery window DynamoDB offers. */
const PITR_RECOVERY_PERIOD_DAYS = 35;

export interface CreditTableProps {
  /**
   * Warm throughput (units/s the table serves instantly, without ramping up): pre-warming for a festival.
   * It can only be raised, never lowered, and is billed once per increase (docs/CAPACITY.md).
   */
  readonly warmReadUnitsPerSecond: number;
  readonly warmWriteUnitsPerSecond: number;
  /** Every authorize writes one expiry-index entry: the index needs its own warm write throughput. */
  readonly expiryIndexWarmWriteUnitsPerSecond: number;
  /** Every hold a budget covers writes one of its slices, in the budgets table (docs/CAPACITY.md 5a). */
  readonly budgetsWarmWriteUnitsPerSecond: number;
}

/** The table's indexes, each one a query the code makes. */
function tableIndexes(props: CreditTableProps): GlobalSecondaryIndexPropsV2[] {
  const key = keyAttribute;
  return [
    {
      // Open holds by expiry (sharded partition key, sort = expiresAt): what the sweeper queries.
      indexName: EXPIRY_INDEX.name,
      partitionKey: key(EXPIRY_INDEX.partitionKey),
      sortKey: key(EXPIRY_INDEX.sortKey),
      projectionType: ProjectionType.KEYS_ONLY,
      warmThroughput: { writeUnitsPerSecond: props.expiryIndexWarmWriteUnitsPerSecond },
    },
    {
      // Pending reviews: small (amounts >= REVIEW_THRESHOLD), the queue shows whole holds.
      indexName: REVIEW_INDEX.name,
      partitionKey: key(REVIEW_INDEX.partitionKey),
      sortKey: key(REVIEW_INDEX.sortKey),
      projectionType: ProjectionType.ALL,
    },
    {
      // Every account, bucketed, for the limit refresh; its keys never change, so checkouts never write it.
      indexName: ACCOUNTS_INDEX.name,
      partitionKey: key(ACCOUNTS_INDEX.partitionKey),
      sortKey: key(ACCOUNTS_INDEX.sortKey),
      projectionType: ProjectionType.KEYS_ONLY,
    },
  ];
}

export class CreditTable extends Construct {
  readonly table: TableV2;
  /** The events the stream mapper derives (shared/events/table.ts): no stream of its own, TTL-free, PITR on. */
  readonly events: TableV2;
  /**
   * The platform budgets (shared/budgets/table.ts): keys only, no stream (a slice draw, one per budgeted hold,
   * feeds no event), PITR on. Whoever may use the table may use it too (grant): a hold draws in its own transaction.
   */
  readonly budgets: TableV2;
  /** The exact ARNs of the table's indexes (no `index/*` wildcard in any policy). */
  readonly indexArns: readonly string[];

  constructor(scope: Construct, id: string, props: CreditTableProps) {
    super(scope, id);
    const key = keyAttribute;
    const indexes = tableIndexes(props);

    this.table = new TableV2(this, 'Table', {
      partitionKey: key(TABLE_KEYS.partitionKey),
      sortKey: key(TABLE_KEYS.sortKey),
      // On-demand: a festival is a 100x spike for a day; provisioned capacity would be wrong on every other day.
      billing: Billing.onDemand(),
      warmThroughput: {
        readUnitsPerSecond: props.warmReadUnitsPerSecond,
        writeUnitsPerSecond: props.warmWriteUnitsPerSecond,
      },
      pointInTimeRecoverySpecification: {
        pointInTimeRecoveryEnabled: true,
        recoveryPeriodInDays: PITR_RECOVERY_PERIOD_DAYS,
      },
      // The ledger of a credit product: neither a console click nor a stack deletion may drop it.
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      // AWS managed key (aws/dynamodb): encrypted at rest, key use audited in CloudTrail, no key policy to
      // maintain, and callers need no kms: permissions. Switch to customerManagedKey if key control is required.
      encryption: TableEncryptionV2.awsManagedKey(),
      globalSecondaryIndexes: indexes,
      // Events come from this stream (shared/events/mapper.ts): new and old images tell what a write changed.
      dynamoStream: StreamViewType.NEW_AND_OLD_IMAGES,
    });
    this.indexArns = indexes.map((index) => `${this.table.tableArn}/index/${index.indexName}`);
    this.budgets = this.companionTable('Budgets', {
      // A festival's budget takes every covered hold's draw from its first second.
      warmThroughput: { writeUnitsPerSecond: props.budgetsWarmWriteUnitsPerSecond },
      pointInTimeRecoverySpecification: {
        pointInTimeRecoveryEnabled: true,
        recoveryPeriodInDays: PITR_RECOVERY_PERIOD_DAYS,
      },
    });
    this.events = this.companionTable('Events', {
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      localSecondaryIndexes: [
        {
          indexName: EVENTS_ORDER_INDEX.name,
          sortKey: keyAttribute(EVENTS_ORDER_INDEX.sortKey),
          projectionType: ProjectionType.ALL,
        },
      ],
    });
  }

  /** A table beside the main one (shared/storage/companion-tables.ts): `pk`/`sk`, on demand, retained, encrypted. */
  private companionTable(id: string, props: Partial<TablePropsV2>): TableV2 {
    return new TableV2(this, id, {
      partitionKey: keyAttribute('pk'),
      sortKey: keyAttribute('sk'),
      billing: Billing.onDemand(),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      encryption: TableEncryptionV2.awsManagedKey(),
      ...props,
    });
  }

  /** Read (the event list), or write (the stream mapper: it stores events), on the events table and its index. */
  grantEvents(grantee: IGrantable, access: 'read' | 'write'): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [...TABLE_ACTIONS[access]],
        resources: [this.events.tableArn, `${this.events.tableArn}/index/${EVENTS_ORDER_INDEX.name}`],
      }),
    );
  }

  /** Grants exactly the table actions of `access` on the table, its named indexes and the budgets table. */
  grant(grantee: IGrantable, access: TableAccess): void {
    if (TABLE_ACTIONS[access].length === 0) return;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [...TABLE_ACTIONS[access]],
        resources: [this.table.tableArn, ...this.indexArns, this.budgets.tableArn],
      }),
    );
  }

  /**
   * Grants DeleteItem on items whose partition key is one of `partitions`, nothing else: ForAllValues over
   * dynamodb:LeadingKeys, which DynamoDB checks for every Delete, inside a transaction too. Indexes take no deletes.
   */
  grantDeletes(grantee: IGrantable, partitions: readonly string[]): void {
    if (partitions.length === 0)
      throw new Error('grantDeletes needs at least one partition (none would allow every key)');
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:DeleteItem'],
        resources: [this.table.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [...partitions] } },
      }),
    );
  }
}

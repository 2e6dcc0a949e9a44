/**
 * The single table's physical shape: key attributes, the sparse expiry index and the TTL attribute.
 * The local bootstrap and the CDK stack both build the table from this description, so they cannot drift.
 *
 * Item types (each repository owns its own key layout):
 *   ACCOUNT#<accountId> / ACCOUNT                   account: limits, balances, status, velocity window
 *   ACCOUNT#<accountId> / JOURNAL#<ms>#<entryId>    immutable journal entry
 *   REQ#<digest>        / REQ                       one idempotent request (client + Idempotency-Key); for an
 *                                                   authorize it *is* the authorization (`auth_<digest>`)
 *   ACCOUNT#<accountId> / PROFILE                   credit profile (the limit policy's inputs)
 *   CLIENT#<keyHash>    / CLIENT                    an API key: its client's id and scopes, its expiry or revocation
 *   CLIENTS             / <clientId>                an API client: name, scopes, revocation, its keys' hashes
 *   PROMOTIONS          / <promotionId>             festival uplifts and category quotas
 *   PROMOTIONS#BY_END   / <endsAt>#<promotionId>    a copy of each, by end: the refresh reads only those not ended
 *   JOB#<jobId>         / JOB                       a limit-refresh run and its progress
 */
export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;

/** Open holds by expiry: partition = one of EXPIRY_SHARDS buckets, sort = expiresAt. Sparse: closed holds drop out. */
export const EXPIRY_INDEX = { name: 'expiry', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' } as const;

/** Holds waiting for manual review: one sparse partition (reviews are rare: amounts >= REVIEW_THRESHOLD). */
export const REVIEW_INDEX = { name: 'review', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' } as const;

/**
 * Every account, spread over ACCOUNT_BUCKETS partitions: the limit refresh pages through one bucket per
 * segment. KEYS_ONLY and keys that never change, so checkout writes to an account never write this index.
 */
export const ACCOUNTS_INDEX = { name: 'accounts', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' } as const;
export const ACCOUNT_BUCKETS = 16;

/**
 * Expiry buckets. Within one bucket the sort key (expiresAt) only grows, so each bucket takes one partition's
 * ~1,000 writes/s: 128 buckets carry ~128,000 hold creations/s into the index, above the 618 plan's ~70,000
 * (docs/CAPACITY.md). Raising it later is safe; lowering it would orphan holds in the dropped buckets.
 */
export const EXPIRY_SHARDS = 128;

/**
 * The promotions' end index (shared/promotions/repository.ts). Ending a promotion moves its copy to the new end's
 * key, so this is the one partition any role may delete from, and the IAM grant names it (infra/route-permissions.ts).
 */
export const PROMOTIONS_BY_END_PARTITION = 'PROMOTIONS#BY_END';

/** Epoch-seconds attribute DynamoDB TTL deletes on (idempotency records of non-authorization requests). */
export const TTL_ATTRIBUTE = 'ttl';

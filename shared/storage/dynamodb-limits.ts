/**
 * DynamoDB's own per-call limits, as the service depends on them. Modules that batch or page assert at load that
 * their sizes fit these (a batch one item too large is a ValidationException on every call, not a slow path),
 * and the calls assert them again at run time. No imports: every layer may use it.
 */

/** TransactWriteItems takes at most this many actions per transaction. */
export const TRANSACT_WRITE_MAX_ITEMS = 100;
/** TransactGetItems takes at most this many gets per call. */
export const TRANSACT_GET_MAX_ITEMS = 100;
/** BatchGetItem takes at most this many keys per call. */
export const BATCH_GET_MAX_KEYS = 100;
/** A Query reads at most this many bytes of items per page, then answers with a LastEvaluatedKey. */
export const QUERY_PAGE_MAX_BYTES = 1_048_576;
/** The largest partition key value, bytes (UTF-8). */
export const PARTITION_KEY_MAX_BYTES = 2_048;
/** The largest sort key value, bytes (UTF-8). */
export const SORT_KEY_MAX_BYTES = 1_024;
/** The longest name of a key attribute, bytes. */
export const KEY_ATTRIBUTE_NAME_MAX_BYTES = 255;
/**
 * The largest item of a KEYS_ONLY index: the table's key and the index's key, i.e. two partition keys and two
 * sort keys, values and names.
 */
export const KEYS_ONLY_INDEX_ITEM_MAX_BYTES =
  2 * (PARTITION_KEY_MAX_BYTES + SORT_KEY_MAX_BYTES) + 4 * KEY_ATTRIBUTE_NAME_MAX_BYTES;

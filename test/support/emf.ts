/**
 * The EMF documents the service writes while some work runs. Outside Lambda they go to the logger at debug under
 * EMF_LOG_MESSAGE (shared/observability/emf.ts), so they are read there: the logger's own output is left alone.
 * Call it after startTestApp (it imports the service's modules).
 */

/** One CloudWatch EMF document, as Powertools serializes it. */
export interface EmfDocument {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: Array<{
      Namespace: string;
      Dimensions: string[][];
      Metrics: Array<{ Name: string; Unit: string }>;
    }>;
  };
  [key: string]: unknown;
}

export async function emfWritten<T>(work: () => Promise<T>): Promise<{ value: T; documents: EmfDocument[] }> {
  const { logger } = await import('../../shared/observability/logger.js');
  const { EMF_LOG_MESSAGE } = await import('../../shared/observability/emf.js');
  const documents: EmfDocument[] = [];
  const debug = logger.debug;
  logger.debug = ((message: unknown, ...extra: unknown[]) => {
    if (message === EMF_LOG_MESSAGE) documents.push((extra[0] as { emf: EmfDocument }).emf);
    else debug.call(logger, message as string, ...(extra as []));
  }) as typeof logger.debug;
  try {
    return { value: await work(), documents };
  } finally {
    logger.debug = debug;
  }
}

/** The values of `metric` over `documents` (a document holds one value, or an array of them). */
export function valuesOf(documents: readonly EmfDocument[], metric: string): number[] {
  return documents.flatMap((d) => {
    const value = d[metric];
    if (value === undefined) return [];
    return Array.isArray(value) ? (value as number[]) : [value as number];
  });
}

export const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

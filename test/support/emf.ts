/**
 * The EMF documents the service writes while some work runs. Outside Lambda they go to the logger at debug under
 * EMF_LOG_MESSAGE, serialized only when it keeps debug lines (shared/observability/emf.ts, localSink): they are read
 * by taking the sink's place while the work runs, the logger's own output left alone.
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
  const { localSink } = await import('../../shared/observability/emf.js');
  const documents: EmfDocument[] = [];
  const { wanted, write } = localSink;
  localSink.wanted = () => true;
  localSink.write = (emf) => documents.push(emf as unknown as EmfDocument);
  try {
    return { value: await work(), documents };
  } finally {
    Object.assign(localSink, { wanted, write });
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

/**
 * Where named parameters (the risk settings document) live: SSM Parameter Store in AWS, read through a Powertools
 * provider over GetParameter (ssm-reader.ts) and written with Powertools' SSMProvider (ssm-writer.ts, imported by
 * the one function that writes); locally a Powertools provider of our own (`LocalParameterProvider`, extending
 * BaseProvider) under the same names. All are read the same way, `get(name, {transform: 'json', maxAge})`, cached
 * by Powertools for maxAge seconds.
 *
 * The local store keeps each parameter as a file under LOCAL_PARAMETER_DIR (`npm start`: DATA_DIR/parameters;
 * `/CreditAuthorization-local/risk-settings` is `CreditAuthorization-local/risk-settings.json`, every version
 * also appended to `risk-settings.json.history.jsonl`), or in memory for this process when the folder is unset
 * (tests).
 */
import { BaseProvider } from '@aws-lambda-powertools/parameters/base';
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { config } from '../config.js';
import { SsmReader, type SsmReaderOptions } from './ssm-reader.js';

/** The IAM action AWS authorizes a store call by (the local store reports it too: test/integration/iam-parity). */
export type ParameterAction = 'ssm:GetParameter' | 'ssm:PutParameter';

export interface ParameterReader {
  /**
   * The parameter's value parsed as JSON, or undefined when the local store has none. Cached for
   * `maxAgeSeconds` (0: not cached); `forceFetch` reads the store whatever the cache holds. Throws when the
   * store cannot be read or the value is not JSON.
   */
  getJson(name: string, options: { maxAgeSeconds: number; forceFetch?: boolean }): Promise<unknown>;
}

export interface ParameterWriter {
  /** Writes `value` as the parameter's next version. */
  put(name: string, value: string): Promise<void>;
}

/** Powertools' `get(name, {transform: 'json', maxAge, forceFetch})` on `provider`: how every store is read. */
export function jsonOf(
  provider: BaseProvider,
  name: string,
  options: { maxAgeSeconds: number; forceFetch?: boolean },
): Promise<unknown> {
  return provider.get(name, {
    transform: 'json',
    maxAge: options.maxAgeSeconds,
    forceFetch: options.forceFetch ?? false,
  });
}

/** SSM Parameter Store, read with GetParameter (ssm-reader.ts: no SSM client in the bundle). */
export class SsmParameterReader implements ParameterReader {
  readonly #reader: SsmReader;
  constructor(options: SsmReaderOptions) {
    this.#reader = new SsmReader(options);
  }
  getJson(name: string, options: { maxAgeSeconds: number; forceFetch?: boolean }): Promise<unknown> {
    return jsonOf(this.#reader, name, options);
  }
}

/** What the local store was asked, as AWS would authorize it. */
export interface ParameterAccess {
  action: ParameterAction;
  name: string;
}

/**
 * The local parameter store: a Powertools provider (caching and the JSON transform are BaseProvider's, as for
 * SSM) over files under `dir`, or over memory when `dir` is undefined.
 */
export class LocalParameterProvider extends BaseProvider implements ParameterReader, ParameterWriter {
  readonly #memory = new Map<string, string>();
  readonly #listeners = new Set<(access: ParameterAccess) => void>();

  constructor(private readonly dir: string | undefined) {
    super({});
  }

  getJson(name: string, options: { maxAgeSeconds: number; forceFetch?: boolean }): Promise<unknown> {
    return jsonOf(this, name, options);
  }

  async put(name: string, value: string): Promise<void> {
    this.#report({ action: 'ssm:PutParameter', name });
    if (this.dir === undefined) {
      this.#memory.set(name, value);
      return;
    }
    const file = this.fileOf(name);
    await mkdir(dirname(file), { recursive: true });
    // Written whole, then renamed over the old file: a concurrent read sees the old version or the new one.
    const partial = `${file}.${randomUUID()}.partial`;
    await writeFile(partial, value, 'utf8');
    await rename(partial, file);
    await appendFile(
      `${file}.history.jsonl`,
      `${JSON.stringify({ modifiedAt: new Date().toISOString(), value })}\n`,
    );
  }

  /** Calls `listener` with every access, as AWS would authorize it; returns its removal. */
  onAccess(listener: (access: ParameterAccess) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  protected async _get(name: string): Promise<string | undefined> {
    this.#report({ action: 'ssm:GetParameter', name });
    if (this.dir === undefined) return this.#memory.get(name);
    try {
      return await readFile(this.fileOf(name), 'utf8');
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  protected _getMultiple(): Promise<Record<string, unknown> | undefined> {
    return Promise.reject(new Error('the local parameter store reads parameters by name only'));
  }

  /** `/a/b` -> `<dir>/a/b.json`; names are checked by the configuration (no `.` or `..` segment). */
  private fileOf(name: string): string {
    return `${join(this.dir ?? '', ...name.split('/').filter(Boolean))}.json`;
  }

  #report(access: ParameterAccess): void {
    for (const listener of this.#listeners) listener(access);
  }
}

/** The local store of this process (unused inside Lambda). */
export const localParameterStore = new LocalParameterProvider(config.localParameterDir);

/** Where this execution environment reads parameters: SSM inside Lambda, the local store elsewhere. */
export const parameterReader: ParameterReader = config.inLambda
  ? new SsmParameterReader({ region: config.region, endpoint: config.ssmEndpoint })
  : localParameterStore;

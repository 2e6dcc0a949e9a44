/**
 * Where named parameters (the risk settings document) live: SSM Parameter Store in AWS, read and written with
 * Powertools Parameters (`SSMProvider`); locally a Powertools provider of our own (`LocalParameterProvider`,
 * extending Powertools' BaseProvider) under the same names, so both are read the same way: `get(name,
 * {transform: 'json', maxAge})`, cached by Powertools for maxAge seconds.
 *
 * The local store keeps each parameter as a file under LOCAL_PARAMETER_DIR (`npm start`: DATA_DIR/parameters;
 * `/CreditAuthorization-local/risk-settings` is `CreditAuthorization-local/risk-settings.json`, every version
 * also appended to `risk-settings.json.history.jsonl`), or in memory for this process when the folder is unset
 * (tests).
 */
import { BaseProvider } from '@aws-lambda-powertools/parameters/base';
import type { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { config } from '../config.js';
import { ApiError } from '../http/errors.js';

/** The IAM action AWS authorizes a store call by (the local store reports it too: test/integration/iam-parity). */
export type ParameterAction = 'ssm:GetParameter' | 'ssm:PutParameter';

export interface ParameterStore {
  /**
   * The parameter's value parsed as JSON, or undefined when the local store has none. Cached for
   * `maxAgeSeconds` (0: not cached); `forceFetch` reads the store whatever the cache holds. Throws when the
   * store cannot be read or the value is not JSON.
   */
  getJson(name: string, options: { maxAgeSeconds: number; forceFetch?: boolean }): Promise<unknown>;
  /** Writes `value` as the parameter's next version. */
  put(name: string, value: string): Promise<void>;
}

/** SSM Parameter Store through Powertools' SSMProvider, loaded on first use (functions that never read it pay nothing). */
export class SsmParameterStore implements ParameterStore {
  #provider: Promise<SSMProvider> | undefined;

  /** `newProvider`: Powertools' SSMProvider over this Region's client by default (a test passes its own). */
  constructor(
    private readonly region: string,
    private readonly newProvider: (region: string) => Promise<SSMProvider> = async (r) => {
      const { newSsmClient, newSsmProvider } = await import('./ssm-provider.js');
      return newSsmProvider(newSsmClient(r));
    },
  ) {}

  async getJson(name: string, options: { maxAgeSeconds: number; forceFetch?: boolean }): Promise<unknown> {
    const provider = await this.provider();
    return provider.get(name, {
      transform: 'json',
      maxAge: options.maxAgeSeconds,
      forceFetch: options.forceFetch ?? false,
    });
  }

  async put(name: string, value: string): Promise<void> {
    const provider = await this.provider();
    try {
      await provider.set(name, { value, overwrite: true, parameterType: 'String' });
    } catch (error) {
      // Powertools wraps the SDK's error: hand on the SDK's own, so a throttled write answers 503, not 500. SSM
      // refuses a write racing another write of the same parameter (TooManyUpdates): also a 503, retried as one.
      const cause = (error as { cause?: unknown }).cause ?? error;
      if ((cause as { name?: string }).name === 'TooManyUpdates') throw new ApiError('unavailable');
      throw cause;
    }
  }

  private provider(): Promise<SSMProvider> {
    this.#provider ??= this.newProvider(this.region);
    return this.#provider;
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
export class LocalParameterProvider extends BaseProvider implements ParameterStore {
  readonly #memory = new Map<string, string>();
  readonly #listeners = new Set<(access: ParameterAccess) => void>();

  constructor(private readonly dir: string | undefined) {
    super({});
  }

  getJson(name: string, options: { maxAgeSeconds: number; forceFetch?: boolean }): Promise<unknown> {
    return this.get(name, {
      transform: 'json',
      maxAge: options.maxAgeSeconds,
      forceFetch: options.forceFetch ?? false,
    });
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

/** The store this execution environment reads and writes: SSM inside Lambda, the local store elsewhere. */
export const parameterStore: ParameterStore = config.inLambda
  ? new SsmParameterStore(config.region)
  : localParameterStore;

/**
 * Where this execution environment writes parameters: SSM inside Lambda, the local store elsewhere. Its own
 * module, imported only by PUT /v1/risk-settings, so no other bundle carries the SSM client (ssm-writer.ts).
 */
import { config } from '../config.js';
import { localParameterStore, type ParameterWriter } from './parameter-store.js';
import { newSsmClient, SsmParameterWriter } from './ssm-writer.js';

export const parameterWriter: ParameterWriter = config.inLambda
  ? new SsmParameterWriter(newSsmClient(config.region, config.ssmEndpoint))
  : localParameterStore;

/** The structured logger (Powertools), one per execution environment. */
import { Logger } from '@aws-lambda-powertools/logger';
import { SERVICE_NAME } from './metrics.js';

export const logger = new Logger({ serviceName: SERVICE_NAME });

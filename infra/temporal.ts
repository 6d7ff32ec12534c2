/** Connecting to Temporal: the embedded dev server, a self-hosted cluster or Temporal Cloud. */
import { readFile } from 'node:fs/promises';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { Config } from './config.js';

export function temporalAddress(config: Config): string {
  return config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_DEV_PORT}`;
}

async function tlsOptions(config: Config): Promise<ConnectionOptions['tls']> {
  if (config.TEMPORAL_TLS_CERT && config.TEMPORAL_TLS_KEY) {
    return {
      clientCertPair: { crt: await readFile(config.TEMPORAL_TLS_CERT), key: await readFile(config.TEMPORAL_TLS_KEY) },
    };
  }
  // An API key (Temporal Cloud) always travels over TLS.
  return config.TEMPORAL_TLS || config.TEMPORAL_API_KEY ? true : undefined;
}

export async function connectClient(config: Config): Promise<Client> {
  const connection = await Connection.connect({
    address: temporalAddress(config),
    tls: await tlsOptions(config),
    apiKey: config.TEMPORAL_API_KEY,
  });
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
}

export async function connectWorker(config: Config): Promise<NativeConnection> {
  const options: NativeConnectionOptions = {
    address: temporalAddress(config),
    tls: (await tlsOptions(config)) as NativeConnectionOptions['tls'],
    apiKey: config.TEMPORAL_API_KEY,
  };
  return NativeConnection.connect(options);
}

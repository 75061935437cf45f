import { NodeSDK } from "@opentelemetry/sdk-node";

/**
 * Starts the OpenTelemetry SDK when the platform set OTEL_EXPORTER_OTLP_ENDPOINT. Everything else
 * (protocol, resource attributes, sampling) comes from the standard OTEL_* variables, so the
 * platform's collector decides where traces go; the app only creates spans through @opentelemetry/api.
 */
export function startTelemetry(serviceName: string): () => Promise<void> {
  if (!process.env.OTEL_EXPORTER_OTLP_ENDPOINT) return async () => {};
  const sdk = new NodeSDK({ serviceName });
  sdk.start();
  return () => sdk.shutdown();
}

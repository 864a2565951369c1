// `npm run dashboard -- --api <ApiUrl>`: the dashboard for a deployed stack (DESIGN.md section 12), on
// 127.0.0.1, signing the admin API requests with your AWS credentials (local/dashboard-proxy.ts).
import { parseArgs } from 'node:util';
import { startDashboardProxy } from '../local/dashboard-proxy';
import { buildDashboard } from '../local/web-build';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      api: { type: 'string' },
      region: { type: 'string' },
      port: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !values.api) {
    console.log(`npm run dashboard -- --api <ApiUrl> [--region eu-west-1] [--port 4000]

Serves the dashboard on http://127.0.0.1:PORT and forwards /api/* to the deployed HTTP API (the stack's
ApiUrl output), signed with SigV4 using the AWS SDK's default credential chain (AWS_PROFILE, SSO,
environment variables, ~/.aws). The region is read from an execute-api URL; give --region for a custom domain.`);
    process.exit(values.help ? 0 : 2);
  }
  const webDir = await buildDashboard();
  const proxy = await startDashboardProxy({ apiUrl: values.api, region: values.region, port: Number(values.port ?? process.env.PORT ?? 4000), webDir });
  console.log(`Dashboard for ${values.api}
  open ${proxy.url}/
Requests to /api/* are signed with your AWS credentials; the proxy listens on loopback only. Ctrl-C stops it.`);
  const stop = async () => {
    await proxy.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err) => {
  console.error(`npm run dashboard failed: ${(err as Error).message}`);
  process.exit(1);
});

// `tsx scripts/build-web.ts <outDir>`: the dashboard's build into a folder, for the CDK's upload of it
// (lib/dashboard-hosting.ts bundles the web asset with this, on the machine running `cdk synth`).
import { buildDashboard } from '../local/web-build';

const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: tsx scripts/build-web.ts <outDir>');
  process.exit(2);
}
buildDashboard({ outDir }).catch((err) => {
  console.error(`building the dashboard failed: ${(err as Error).message}`);
  process.exit(1);
});

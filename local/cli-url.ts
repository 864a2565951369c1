// Where the command-line tools find the running local stack: `--url`, else http://127.0.0.1:$PORT (the
// port `npm start` listens on, 3000 when PORT is unset or empty). One rule for every CLI (README).
export const DEFAULT_PORT = 3000;

export function stackUrl(url: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return (url || `http://127.0.0.1:${env.PORT || DEFAULT_PORT}`).replace(/\/+$/, '');
}

// Placeholder until this handler lands; replaced in the same session.
export const handler = async (): Promise<{ statusCode: number; body: string }> => ({ statusCode: 501, body: 'not implemented' });

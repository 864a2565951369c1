#!/usr/bin/env node
// The CDK app: `npx cdk synth|deploy [-c stage=prod] [-c alertEmail=...] [-c publicUrl=https://...] [-c reportSchedule='rate(1 hour)']`.
// The stack is environment-agnostic (no account or region), so synth works offline.
import { App } from 'aws-cdk-lib';
import { addSwitchboard } from '../lib/switchboard-app';

const app = new App();
addSwitchboard(app);
app.synth();

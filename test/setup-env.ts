import { url } from './env';

// the testkit's clients talk to the gateway under test
process.env.GATEWAY_URL = url('gateway');

// The entry of a render thread (email/prepare-pool.ts): piscina calls the default export with each batch.
import { prepareEmails } from './prepare';

export default prepareEmails;

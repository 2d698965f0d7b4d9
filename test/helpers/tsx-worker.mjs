// Worker threads do not inherit the main thread's module hooks on Node 20: each registers tsx itself.
import { register } from 'tsx/esm/api';

register();

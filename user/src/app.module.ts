import { DynamicModule, Module } from '@nestjs/common';
import { TokenRevocations } from '@runrun/auth';
import { CommonModule, kafkaProvider, REDIS, RedisClient, redisProvider } from '@runrun/common';
import { MysqlModule } from '@runrun/mysql';
import type { Logger } from 'pino';
import { AddressEventsConsumer } from './address/address-events.consumer';
import { AddressController } from './address/address.controller';
import { Address } from './address/address.entity';
import { AddressService } from './address/address.service';
import { ProcessedEvent } from './address/processed-event.entity';
import { AuthController } from './auth/auth.controller';
import { AuthService } from './auth/auth.service';
import type { UserConfig } from './config';
import { PiiCipher } from './crypto/pii-cipher';
import { EmailAuthController } from './email-auth/email-auth.controller';
import { EmailAuthService } from './email-auth/email-auth.service';
import { EmailAuthStore } from './email-auth/email-auth.store';
import { MailLimits } from './email-auth/mail-limits';
import { Mailer } from './mail/mailer';
import { SignUpController } from './signup/signup.controller';
import { SignUpService } from './signup/signup.service';
import { User } from './user/user.entity';

@Module({})
export class AppModule {
  static register(config: UserConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [CommonModule.forRoot(config, logger), MysqlModule.forRoot(config.db, [User, Address, ProcessedEvent])],
      controllers: [EmailAuthController, SignUpController, AuthController, AddressController],
      providers: [
        // stores (MySQL comes with MysqlModule)
        redisProvider,
        kafkaProvider,
        { provide: PiiCipher, useValue: new PiiCipher(config.piiKey) },
        { provide: TokenRevocations, inject: [REDIS], useFactory: (redis: RedisClient) => new TokenRevocations(redis) },
        Mailer,
        // domain
        EmailAuthStore,
        MailLimits,
        EmailAuthService,
        SignUpService,
        AuthService,
        AddressService,
        // inbound (besides the HTTP controllers): Kafka consumers
        AddressEventsConsumer,
      ],
    };
  }
}

-- Run once by the mysql:8.0 image on an empty data volume (infra/docker-compose.yml).
-- Same databases and application user as infra/local.sh creates for MariaDB. Local dev only.

CREATE DATABASE IF NOT EXISTS `runrun_user` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS `runrun_brand` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS `runrun_order` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS `runrun_payment` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- '%' host: connections come through Docker's port forwarding, not from localhost.
CREATE USER IF NOT EXISTS 'runrun'@'%' IDENTIFIED BY 'runrun';

-- Pattern grant: tests create throw-away databases named runrun_* as well.
GRANT ALL PRIVILEGES ON `runrun\_%`.* TO 'runrun'@'%';
FLUSH PRIVILEGES;

-- The platform administrator: a user (of one Pemda) who may create Pemda on the deployment.
ALTER TABLE usr_user DROP CONSTRAINT usr_user_role_check;
ALTER TABLE usr_user ADD CONSTRAINT usr_user_role_check CHECK (role IN ('admin','bappeda','tapd','opd_operator',
  'opd_head','dprd','inspektorat','tim_data','cc_operator','cc_unit','kecamatan','kelurahan','platform_admin'));

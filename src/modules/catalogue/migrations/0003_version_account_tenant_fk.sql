-- A version's tenant is its item's: (pemda_id, item_id) → cat_item, whose pemda_id → core_pemda,
-- already guarantees a version's pemda_id exists; likewise an account link's (pemda_id, item_id,
-- version) → cat_item_version. Their own pemda_id → core_pemda foreign keys were a second check
-- per row of every import (two of the five foreign-key checks of a 100,000-row import) that could
-- never fail when the first passes. pemda_id stays the first column of every key.
ALTER TABLE cat_item_version DROP CONSTRAINT cat_item_version_pemda_id_fkey;
ALTER TABLE cat_item_account DROP CONSTRAINT cat_item_account_pemda_id_fkey;

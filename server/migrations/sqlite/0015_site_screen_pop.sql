-- A site's screen pop: its CRM's page for a customer as a URL template
-- (`https://crm.example.com/customers/{external_id}`), opened by the console
-- when an agent accepts an identified customer; NULL for none.
ALTER TABLE sites ADD COLUMN screen_pop TEXT;
